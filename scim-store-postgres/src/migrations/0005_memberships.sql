-- scimkit-store-postgres schema, version 5.

-- A member's `groups` as filters see it (scimkit_core::memberships_value): one object per
-- group it is in, directly (`type` "direct") or through other groups up to 16 levels
-- (scimkit_core::MAX_GROUP_NESTING; "indirect"), each group once at its nearest level, with
-- the group's `displayName` as `display` when it is a string. A cycle ends at the depth limit.
CREATE FUNCTION scim_memberships(p_tenant text, p_member text) RETURNS jsonb
LANGUAGE sql STABLE PARALLEL SAFE AS $$
    WITH RECURSIVE above(group_id, depth) AS (
        SELECT m.group_id, 1 FROM scim_members AS m
        WHERE m.tenant = p_tenant AND m.member_id = p_member
        UNION
        SELECT m.group_id, above.depth + 1 FROM above
        JOIN scim_members AS m ON m.tenant = p_tenant AND m.member_id = above.group_id
        WHERE above.depth < 16
    ), nearest AS (
        SELECT group_id, min(depth) AS depth FROM above GROUP BY group_id
    )
    SELECT coalesce(jsonb_agg(
        jsonb_build_object(
            'value', n.group_id,
            'type', CASE WHEN n.depth = 1 THEN 'direct' ELSE 'indirect' END
        ) || CASE WHEN jsonb_typeof(g.data -> 'displayName') = 'string'
                  THEN jsonb_build_object('display', g.data -> 'displayName')
                  ELSE '{}'::jsonb END
        ORDER BY n.group_id
    ), '[]'::jsonb)
    FROM nearest AS n
    LEFT JOIN scim_resources AS g
        ON g.tenant = p_tenant AND g.resource_type = 'Group' AND g.id = n.group_id
$$;

-- The members of the group `p_group`, directly or through groups it holds, up to 16 levels
-- below it: every resource whose memberships include `p_group`.
CREATE FUNCTION scim_members_within(p_tenant text, p_group text) RETURNS SETOF text
LANGUAGE sql STABLE PARALLEL SAFE AS $$
    WITH RECURSIVE below(member_id, depth) AS (
        SELECT m.member_id, 1 FROM scim_members AS m
        WHERE m.tenant = p_tenant AND m.group_id = p_group
        UNION
        SELECT m.member_id, below.depth + 1 FROM below
        JOIN scim_members AS m ON m.tenant = p_tenant AND m.group_id = below.member_id
        WHERE below.depth < 16
    )
    SELECT DISTINCT member_id FROM below
$$;
