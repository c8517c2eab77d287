-- scimkit-store-postgres schema, version 6.

-- Tenants' bearer tokens (scimkit_core::tokens): only each token's SHA-256 digest is kept.
-- Times are milliseconds since the Unix epoch; `expires_ms` is the end of a rotation's overlap
-- or the moment of a revocation.
CREATE TABLE scim_tokens (
    id           text   PRIMARY KEY,
    tenant       text   NOT NULL,
    principal    text   NOT NULL,
    digest       bytea  NOT NULL UNIQUE,
    created_ms   bigint NOT NULL,
    expires_ms   bigint,
    last_used_ms bigint
);
CREATE INDEX scim_tokens_by_tenant ON scim_tokens (tenant, created_ms);
