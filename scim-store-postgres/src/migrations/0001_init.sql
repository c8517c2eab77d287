-- scimkit-store-postgres schema, version 1.

CREATE SEQUENCE scim_versions;

CREATE TABLE scim_resources (
    tenant        text   NOT NULL,
    resource_type text   NOT NULL,
    id            text   COLLATE "C" NOT NULL,
    version       bigint NOT NULL,
    data          jsonb  NOT NULL,
    PRIMARY KEY (tenant, resource_type, id)
);

-- Values of unique attributes: the primary key is the uniqueness constraint. `key` is the
-- value folded by scimkit_filter::fold_case in Rust, unless the attribute is case-exact.
CREATE TABLE scim_unique_keys (
    tenant        text NOT NULL,
    resource_type text NOT NULL,
    attribute     text NOT NULL,
    key           text COLLATE "C" NOT NULL,
    id            text COLLATE "C" NOT NULL,
    PRIMARY KEY (tenant, resource_type, attribute, key)
);
CREATE INDEX scim_unique_keys_by_id ON scim_unique_keys (tenant, resource_type, id);

-- Values of indexed (not unique) attributes, such as externalId.
CREATE TABLE scim_index_keys (
    tenant        text NOT NULL,
    resource_type text NOT NULL,
    attribute     text NOT NULL,
    key           text COLLATE "C" NOT NULL,
    id            text COLLATE "C" NOT NULL,
    PRIMARY KEY (tenant, resource_type, attribute, key, id)
);
CREATE INDEX scim_index_keys_by_id ON scim_index_keys (tenant, resource_type, id);

-- Which key attributes the key tables hold (for every tenant), and how they are folded.
CREATE TABLE scim_key_defs (
    resource_type text    NOT NULL,
    attribute     text    NOT NULL,
    case_exact    boolean NOT NULL,
    is_unique     boolean NOT NULL,
    PRIMARY KEY (resource_type, attribute)
);

-- Direct group membership: one row per `members[].value` of a Group.
CREATE TABLE scim_members (
    tenant    text NOT NULL,
    group_id  text COLLATE "C" NOT NULL,
    member_id text COLLATE "C" NOT NULL,
    PRIMARY KEY (tenant, group_id, member_id)
);
CREATE INDEX scim_members_by_member ON scim_members (tenant, member_id);

-- Every member name used in the data of a resource type, at any depth, by its ASCII lower
-- case: filters name attributes in any case, and look up each spelling the data has used.
CREATE TABLE scim_spellings (
    resource_type text NOT NULL,
    lower_name    text NOT NULL,
    spelling      text NOT NULL,
    PRIMARY KEY (resource_type, lower_name, spelling)
);

-- Whether a value counts as present for `pr`.
CREATE FUNCTION scim_present(v jsonb) RETURNS boolean
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT v IS NOT NULL AND v NOT IN ('null'::jsonb, '""'::jsonb, '[]'::jsonb, '{}'::jsonb)
$$;

-- An ASCII approximation of scimkit_filter::fold_case: ASCII letters lower-cased, the Kelvin sign
-- as `k` and the dotted capital I as `i`, every other character kept. Where the folded form of
-- a string matches an ASCII needle, so does this one.
CREATE FUNCTION scim_fold_ascii(t text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT lower(translate(t, U&'\212A\0130', 'ki') COLLATE "C")
$$;

-- Whether `t` is all ASCII.
CREATE FUNCTION scim_is_ascii(t text) RETURNS boolean
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT octet_length(t) = char_length(t)
$$;
