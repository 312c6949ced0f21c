"""Notices to customers that no agent writes (acknowledgement, auto-answer, status updates), once each."""

from __future__ import annotations

from shared.domain.case import Case
from shared.domain.channels import AuthorKind
from shared.domain.events import EventKind
from shared.domain.identity import IdentityKind
from shared.domain.ids import CaseId
from shared.domain.message import Author, DeliveryStatus
from shared.domain.notices import Notice, render
from shared.domain.outbound_mail import UnbuildableEmail, mailable
from shared.errors import Unavailable
from shared.ports import CustomerStore, DuplicateChannelId
from shared.services.cases import CaseService, NoEmailAddress
from shared.settings import Settings

_NOTICE_ATTEMPTS = 10
_SYSTEM = Author(kind=AuthorKind.SYSTEM, name="Tugi")


class CustomerNotices:
    def __init__(self, cases: CaseService, customers: CustomerStore, settings: Settings) -> None:
        self.cases = cases
        self.customers = customers
        self.settings = settings

    def can_email(self, case: Case) -> bool:
        return any(
            i.identity.kind == IdentityKind.EMAIL and mailable(i.identity.value)
            for i in self.customers.list_identities(case.customer_id)
        )

    def notify_customer(self, case: Case, notice: Notice, *, key: str, **fields: str) -> bool:
        """Email a notice once per `key`; False when the customer has no address or it went before.

        A retry finds the notice stored under its fixed id. If that one went out, it is not sent
        again; if sending failed (or never finished), it is sent anew under the next id.
        """
        if case.spam:
            return False  # never write to a spammer
        text = render(notice, case.language, reference=case.reference, **fields)
        for attempt in range(_NOTICE_ATTEMPTS):
            external_id = f"{key}{f'.{attempt}' if attempt else ''}.{case.case_id}@{self.settings.mail_domain}"
            try:
                self.cases.email_customer(
                    case.case_id,
                    text,
                    author=_SYSTEM,
                    kind=EventKind.NOTICE_SENT,
                    external_id=external_id,
                    event_data={"notice": notice.value},
                )
            except NoEmailAddress:
                return False  # nobody to write to (a phone-only customer)
            except UnbuildableEmail:
                return False  # stored as failed with its code, for the agent; another try builds the same mail
            except DuplicateChannelId:
                if self._went_out(case.case_id, external_id):
                    return False
                continue
            return True
        raise Unavailable(f"the {notice.value} notice failed {_NOTICE_ATTEMPTS} times")

    def _went_out(self, case_id: CaseId, external_id: str) -> bool:
        stored = next((m for m in self.cases.get(case_id).messages if m.external_id == external_id), None)
        return stored is not None and stored.delivery_status not in {DeliveryStatus.QUEUED, DeliveryStatus.FAILED}
