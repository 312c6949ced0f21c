from pathlib import Path

from aws_cdk import App

from infra.config import DEFAULT_LAMBDA_ASSET_DIR, TugiConfig


def test_config_defaults_need_no_context() -> None:
    config = TugiConfig.from_context(App().node)
    assert config == TugiConfig()
    assert config.lambda_asset_dir == DEFAULT_LAMBDA_ASSET_DIR
    assert config.recipients == ("support@tugi.example",)
    assert config.region == "eu-west-1"
    assert config.portal_url == "https://support.tugi.example"
    assert config.supervisor_emails == ()


def test_command_line_context_strings_become_typed_settings(tmp_path: Path) -> None:
    app = App(
        context={
            "raw_mail_retention_days": "30",
            "inbound_recipients": "help@shop.example, shop.example",
            "lambda_asset_dir": str(tmp_path),
            "mail_domain": "shop.example",
            "portal_url": "https://help.shop.example",
            "supervisor_emails": "lead@shop.example, ,night@shop.example",
        }
    )
    config = TugiConfig.from_context(app.node)
    assert config.raw_mail_retention_days == 30
    assert config.recipients == ("help@shop.example", "shop.example")
    assert config.lambda_asset_dir == tmp_path.resolve()
    assert config.mail_domain == "shop.example"
    assert config.portal_url == "https://help.shop.example"
    assert config.supervisor_emails == ("lead@shop.example", "night@shop.example")
