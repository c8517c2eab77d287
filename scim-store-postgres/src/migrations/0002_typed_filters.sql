-- scim-store-postgres schema, version 2: functions for filters and sorting with a schema.

-- scim_filter::fold_case exactly for every string whose non-ASCII characters are only the
-- Kelvin sign and the dotted capital I (the two non-ASCII characters whose lower case holds
-- ASCII); every other non-ASCII character is kept as it is. So against an ASCII needle,
-- equality, prefix, suffix and containment of the result are exactly those of fold_case's.
CREATE FUNCTION scim_lower(t text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT lower(replace(translate(t, U&'\212A', 'k'), U&'\0130', U&'i\0307') COLLATE "C")
$$;

-- The value of a multi-valued attribute that sorting uses: the first entry with
-- `"primary": true`, else the first entry; a value that is not an array is itself.
CREATE FUNCTION scim_primary_or_first(v jsonb) RETURNS jsonb
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE WHEN jsonb_typeof(v) = 'array' THEN coalesce(
        (SELECT e.v FROM jsonb_array_elements(v) WITH ORDINALITY AS e(v, i)
         WHERE e.v -> 'primary' = 'true'::jsonb ORDER BY e.i LIMIT 1),
        v -> 0)
    ELSE v END
$$;
