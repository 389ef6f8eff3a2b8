"""The PostgreSQL parameters of a database that serves as a job queue.

docs/deploy.md lists the same settings with the reason for each; a test keeps the two
in step.
"""

from __future__ import annotations

#: RDS parameter group values, by PostgreSQL setting name.
QUEUE_PARAMETERS: dict[str, str] = {
    # Every job is inserted, updated at claim and at completion, and deleted after its
    # retention: vacuum the jobs table after 1 % of it changed, not the default 20 %, so
    # dead rows do not bloat the index claims walk.
    "autovacuum_vacuum_scale_factor": "0.01",
    "autovacuum_analyze_scale_factor": "0.02",
    # Let vacuum run often and do enough work per round to keep up with that churn.
    "autovacuum_naptime": "15",
    "autovacuum_vacuum_cost_limit": "2000",
    # A session left idle inside a transaction holds row locks and holds vacuum back.
    "idle_in_transaction_session_timeout": "300000",
    # gp3 storage is SSD: random reads cost little more than sequential ones.
    "random_page_cost": "1.1",
    # Slow statements reach the PostgreSQL log, which is exported to CloudWatch Logs.
    "log_min_duration_statement": "1000",
    # Connections without TLS are refused.
    "rds.force_ssl": "1",
}
