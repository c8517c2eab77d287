-- scimkit-store-postgres schema, version 7.

-- How many resources each tenant has of each type, in 16 shards (so that concurrent writers
-- of one tenant seldom wait on the same row): the total of an unfiltered list without
-- counting its rows. Kept by statement triggers on scim_resources, so every writer keeps it,
-- whatever its version, COPY included; TRUNCATE clears it.
CREATE TABLE scim_counts (
    tenant        text    NOT NULL,
    resource_type text    NOT NULL,
    shard         integer NOT NULL,
    n             bigint  NOT NULL,
    PRIMARY KEY (tenant, resource_type, shard)
);

INSERT INTO scim_counts (tenant, resource_type, shard, n)
SELECT tenant, resource_type, hashtext(id) & 15, count(*)
FROM scim_resources GROUP BY 1, 2, 3;

CREATE FUNCTION scim_count_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO scim_counts (tenant, resource_type, shard, n)
    SELECT tenant, resource_type, hashtext(id) & 15, count(*)
    FROM inserted GROUP BY 1, 2, 3 ORDER BY 1, 2, 3
    ON CONFLICT (tenant, resource_type, shard) DO UPDATE SET n = scim_counts.n + EXCLUDED.n;
    RETURN NULL;
END
$$;

CREATE FUNCTION scim_count_deleted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO scim_counts (tenant, resource_type, shard, n)
    SELECT tenant, resource_type, hashtext(id) & 15, -count(*)
    FROM deleted GROUP BY 1, 2, 3 ORDER BY 1, 2, 3
    ON CONFLICT (tenant, resource_type, shard) DO UPDATE SET n = scim_counts.n + EXCLUDED.n;
    RETURN NULL;
END
$$;

CREATE FUNCTION scim_count_truncated() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM scim_counts;
    RETURN NULL;
END
$$;

CREATE TRIGGER scim_resources_count_inserted AFTER INSERT ON scim_resources
    REFERENCING NEW TABLE AS inserted FOR EACH STATEMENT EXECUTE FUNCTION scim_count_inserted();
CREATE TRIGGER scim_resources_count_deleted AFTER DELETE ON scim_resources
    REFERENCING OLD TABLE AS deleted FOR EACH STATEMENT EXECUTE FUNCTION scim_count_deleted();
CREATE TRIGGER scim_resources_count_truncated AFTER TRUNCATE ON scim_resources
    FOR EACH STATEMENT EXECUTE FUNCTION scim_count_truncated();
