-- API keys may carry the work scope: a worker over HTTP claims jobs, renews their leases
-- and reports their outcomes with it, and administers nothing.
ALTER TABLE {schema}.api_keys DROP CONSTRAINT api_keys_scopes_known;
ALTER TABLE {schema}.api_keys
    ADD CONSTRAINT api_keys_scopes_known
    CHECK (scopes <@ ARRAY['read', 'write', 'admin', 'work']);
