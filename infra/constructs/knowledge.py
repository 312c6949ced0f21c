"""KnowledgeConstruct: the knowledge base's search domain and the stream indexer that keeps it equal to the table.

The functions find the domain through `TUGI_OPENSEARCH_URL` and `TUGI_OPENSEARCH_SERVICE=es`
(shared/adapters/search/opensearch.py signs each request with SigV4 as the function's role).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from aws_cdk import CfnOutput, Duration, RemovalPolicy, Stack
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from aws_cdk import aws_opensearchservice as opensearch
from aws_cdk import aws_sns as sns
from constructs import Construct

from infra.constructs.data import DataConstruct
from infra.constructs.operations import (
    ALARM_PERIOD,
    alarm_at_first_occurrence,
    create_dead_letter_queue,
    subscribe_to_stream,
)
from infra.constructs.tugi_function import TugiFunction
from infra.nag import acknowledge, acknowledge_wildcard_resource
from infra.stream_consumers import KB_INDEXER

ENGINE_VERSION = opensearch.EngineVersion.OPENSEARCH_2_19
SEARCH_SERVICE = "es"  # SigV4 service name of a managed domain ("aoss" would be a serverless collection)
# Searching is a POST (`_search` with a query body), so readers need it too (see the class on what
# POST still allows).
READ_ACTIONS = ("es:ESHttpGet", "es:ESHttpHead", "es:ESHttpPost")
WRITE_ACTIONS = (*READ_ACTIONS, "es:ESHttpPut", "es:ESHttpDelete")
# The indexer re-reads a translation and its phrasings (one Query); nothing else of the table.
INDEXER_TABLE_ACTIONS = ("dynamodb:GetItem", "dynamodb:Query")
INDEXER_TIMEOUT = Duration.seconds(60)
REMOVAL_POLICIES = {"retain": RemovalPolicy.RETAIN, "destroy": RemovalPolicy.DESTROY}
DOMAIN_NAME = re.compile(r"[a-z][a-z0-9-]{2,27}")  # what OpenSearch Service accepts


@dataclass(frozen=True)
class SearchDomainSettings:
    """The domain's size and lifecycle (infra/config.py `search_*`)."""

    domain_name: str
    instance_type: str
    instance_count: int
    volume_gib: int
    removal_policy: str

    def __post_init__(self) -> None:
        if not DOMAIN_NAME.fullmatch(self.domain_name):
            raise ValueError(f"search_domain_name {self.domain_name!r}: 3-28 of a-z, 0-9 and -, starting with a letter")
        if self.removal_policy not in REMOVAL_POLICIES:
            raise ValueError(f"search_removal_policy {self.removal_policy!r}: one of {sorted(REMOVAL_POLICIES)}")
        if self.instance_count < 1 or self.instance_count % self.zone_count:
            raise ValueError(
                f"search_instance_count {self.instance_count}: 1, or a multiple of 2 or 3 (as many nodes in each zone)"
            )

    @property
    def zone_count(self) -> int:
        """Availability zones the data nodes spread over: 1 for one node, else 3 when the count allows."""
        if self.instance_count == 1:
            return 1
        return 3 if self.instance_count % 3 == 0 else 2


class KnowledgeConstruct(Construct):
    """Search for the knowledge base.

    - `domain`: an Amazon OpenSearch Service managed domain, not an OpenSearch Serverless collection.
      Cheaper for a small team: a collection bills its minimum OCUs around the clock, idle or not
      (1 OCU, half indexing and half search, with redundancy off; 2 with the default redundancy),
      several times the price of one t3.small.search node with its 10 GiB volume, which holds a
      knowledge base of thousands of articles; the domain grows by config.
    - `indexer`: reads the table's stream (`KB_INDEXER`: items whose PK begins with `ARTICLE#`, and
      learned words once vetted) and writes the index; what it cannot index after retries lands in
      `indexer_dead_letter_queue` (locally `tugi-kb-indexer-dlq`), and a message there raises an alarm on
      the escalation topic.
    - `allow_search(function)` gives another function the endpoint and the domain's HTTP permissions.

    Access is IAM only, without fine-grained access control (FGAC): every client is one of Tugi's
    Lambda roles signing with SigV4, and the domain's access policy names each role with its HTTP
    methods. Readers (public API, workflow tasks) get GET, HEAD and POST, writers (indexer, agent
    API) PUT and DELETE too, so only writers create or delete an index. HTTP methods cannot tell a
    search POST from a writing one (`_bulk`, `_doc`, `_update`): a reader's role could still change
    documents. Only FGAC with a read-only role mapping would close that, and
    it buys little here: the readers' code only searches, the same roles may already write the
    table the index is rebuilt from (the truth, reindexed in minutes), and the index holds nothing
    secret (published articles and phrasings with personal data removed), so document- and
    field-level security has nothing to protect. FGAC would also need a master user and role
    mappings kept in step with the function roles through the security plugin's API (CloudFormation
    cannot), and once on it cannot be turned off.
    """

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        code: lambda_.Code,
        environment: Mapping[str, str],
        data: DataConstruct,
        alarm_topic: sns.ITopic,
        settings: SearchDomainSettings,
    ) -> None:
        super().__init__(scope, construct_id)
        self._settings = settings
        # The domain's ARN, spelled out (its access policy cannot refer to the domain's own attributes);
        # the roles' policies use it too, so both name the same paths.
        self.domain_arn = Stack.of(self).format_arn(service="es", resource="domain", resource_name=settings.domain_name)
        self._access_policy = iam.PolicyDocument()
        self.domain = self._domain()
        self.url = f"https://{self.domain.domain_endpoint}"
        self.indexer_dead_letter_queue = create_dead_letter_queue(self, "IndexerDeadLetters")
        self.indexer = TugiFunction(
            self,
            "Indexer",
            code=code,
            handler=KB_INDEXER.handler,
            description="Tugi knowledge base indexer: article changes from the table's stream into the search index",
            environment=environment,
            timeout=INDEXER_TIMEOUT,
        )
        subscribe_to_stream(self.indexer, data.table, KB_INDEXER, self.indexer_dead_letter_queue)
        iam.Grant.add_to_principal(
            grantee=self.indexer.role, actions=list(INDEXER_TABLE_ACTIONS), resource_arns=[data.table.table_arn]
        )
        self.allow_search(self.indexer, write=True)
        self._alarms(alarm_topic)
        CfnOutput(self, "SearchEndpoint", value=self.url, description="TUGI_OPENSEARCH_URL")

    def allow_search(self, function: TugiFunction, *, write: bool = False) -> None:
        """Point `function` at the domain and let its role search (and with `write`, index and delete).

        The same actions go in the role's policy and, for that role alone, in the domain's access
        policy: within one account either would do, and the pair keeps both views least-privilege.
        """
        actions = list(WRITE_ACTIONS if write else READ_ACTIONS)
        function.function.add_environment("TUGI_OPENSEARCH_URL", self.url)
        function.function.add_environment("TUGI_OPENSEARCH_SERVICE", SEARCH_SERVICE)
        paths = f"{self.domain_arn}/*"
        function.role.add_to_principal_policy(iam.PolicyStatement(actions=actions, resources=[paths]))
        acknowledge_wildcard_resource(
            function.role,
            paths,
            "HTTP paths of the knowledge base's own search domain (its indexes, _search, _bulk); the actions are "
            "limited to what the function does (readers: GET, HEAD, POST).",
        )
        self._access_policy.add_statements(
            iam.PolicyStatement(
                principals=[iam.ArnPrincipal(function.role.role_arn)], actions=actions, resources=[paths]
            )
        )

    def _domain(self) -> opensearch.Domain:
        settings = self._settings
        zones = settings.zone_count
        log_groups = {
            name: logs.LogGroup(self, f"Search{name}Logs", retention=logs.RetentionDays.ONE_MONTH)
            for name in ("SlowSearch", "SlowIndex", "App")
        }
        domain = opensearch.Domain(
            self,
            "SearchDomain",
            version=ENGINE_VERSION,
            # A fixed name, so the access policy and the log policy can name the domain's ARN.
            domain_name=settings.domain_name,
            capacity=opensearch.CapacityConfig(
                data_nodes=settings.instance_count,
                data_node_instance_type=settings.instance_type,
                multi_az_with_standby_enabled=False,  # needs dedicated masters, 3 zones and no T3 nodes
            ),
            ebs=opensearch.EbsOptions(volume_size=settings.volume_gib, volume_type=ec2.EbsDeviceVolumeType.GP3),
            zone_awareness=opensearch.ZoneAwarenessConfig(
                enabled=zones > 1, availability_zone_count=zones if zones > 1 else None
            ),
            encryption_at_rest=opensearch.EncryptionAtRestOptions(enabled=True),  # the AWS-managed key, as the table
            node_to_node_encryption=True,
            enforce_https=True,
            tls_security_policy=opensearch.TLSSecurityPolicy.TLS_1_2_PFS,
            logging=opensearch.LoggingOptions(
                slow_search_log_enabled=True,
                slow_search_log_group=log_groups["SlowSearch"],
                slow_index_log_enabled=True,
                slow_index_log_group=log_groups["SlowIndex"],
                app_log_enabled=True,
                app_log_group=log_groups["App"],
            ),
            # CDK would write the logs' resource policy through a custom-resource Lambda; a plain one follows.
            suppress_logs_resource_policy=True,
            enable_version_upgrade=True,  # engine upgrades in place, never a replacement
            off_peak_window_enabled=True,
            enable_auto_software_update=True,
            removal_policy=REMOVAL_POLICIES[settings.removal_policy],
        )
        # Set on the resource itself: the L2 `access_policies` prop applies them through a custom resource.
        cfn_domain = domain.node.default_child
        assert isinstance(cfn_domain, opensearch.CfnDomain)  # noqa: S101 - the L2 construct's own resource
        cfn_domain.access_policies = self._access_policy
        domain.node.add_dependency(self._log_policy(list(log_groups.values())))
        self._acknowledge_domain_findings(domain, zones)
        return domain

    def _log_policy(self, log_groups: list[logs.LogGroup]) -> logs.ResourcePolicy:
        """Let this domain, and only it, write to its log groups (the domain checks this on creation)."""
        return logs.ResourcePolicy(
            self,
            "SearchLogsPolicy",
            policy_statements=[
                iam.PolicyStatement(
                    principals=[iam.ServicePrincipal("es.amazonaws.com")],
                    actions=["logs:CreateLogStream", "logs:PutLogEvents"],
                    resources=[group.log_group_arn for group in log_groups],
                    conditions={
                        "StringEquals": {"aws:SourceAccount": Stack.of(self).account},
                        "ArnLike": {"aws:SourceArn": self.domain_arn},
                    },
                )
            ],
        )

    def _acknowledge_domain_findings(self, domain: opensearch.Domain, zones: int) -> None:
        acknowledge(
            domain,
            "OS1",
            "No VPC: Tugi's Lambdas run outside a VPC (a VPC would need NAT or endpoints for every AWS API they "
            "call); every request must be SigV4-signed by a role the access policy names, over TLS 1.2.",
        )
        acknowledge(
            domain,
            "OS3",
            "Access is granted to IAM roles, not IP addresses: the callers are Lambda functions without fixed "
            "addresses, and unsigned requests are refused.",
        )
        acknowledge(
            domain,
            "OS4",
            "No dedicated master nodes: a small knowledge-base index on few data nodes; three masters would "
            "cost more than the data nodes, and the index can be rebuilt from the table (POST /v1/kb/reindex).",
        )
        if zones == 1:
            acknowledge(
                domain,
                "OS7",
                "One data node by default (search_instance_count=1): zone awareness needs two or more and turns "
                "on with them; while a lone node is down, search is down but nothing is lost (the table is the truth).",
            )

    def _alarms(self, topic: sns.ITopic) -> None:
        alarm_at_first_occurrence(
            self,
            "IndexerDeadLettersAlarm",
            self.indexer_dead_letter_queue.metric_approximate_number_of_messages_visible(
                period=ALARM_PERIOD, statistic=cloudwatch.Stats.MAXIMUM
            ),
            "Article changes the knowledge base indexer could not index are in its DLQ: POST /v1/kb/reindex.",
            topic,
        )
        alarm_at_first_occurrence(
            self,
            "SearchClusterRedAlarm",
            self.domain.metric_cluster_status_red(period=ALARM_PERIOD),
            "The knowledge base's search domain is red: a primary shard is unassigned, search may fail.",
            topic,
        )
        alarm_at_first_occurrence(
            self,
            "SearchWritesBlockedAlarm",
            self.domain.metric_cluster_index_writes_blocked(period=ALARM_PERIOD),
            "The knowledge base's search domain blocks writes (storage or memory pressure): the indexer fails.",
            topic,
        )
