-- scimkit-store-postgres schema, version 4.

-- A counter per resource type, raised whenever a store changes the type's key definitions
-- (a key added, rebuilt or dropped). Writes read it under a shared advisory lock that the
-- change holds exclusively, so a replica notices another's change before its next write.
CREATE TABLE scim_key_generations (
    resource_type text   PRIMARY KEY,
    generation    bigint NOT NULL
);
