-- scimkit-store-postgres schema, version 2: functions for filters and sorting with a schema.

-- scimkit_filter::fold_case exactly for every string whose non-ASCII characters are only the
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

-- The instant a dateTime string stands for, in nanoseconds since 1970-01-01T00:00:00Z, exactly
-- as scimkit_filter::DateTime::parse reads it (`YYYY-MM-DDThh:mm:ss[.frac][Z|±hh:mm]`, `T` and `Z`
-- in either case, a missing offset read as UTC, fractions to the nanosecond, impossible dates
-- rejected); NULL for any other string.
CREATE FUNCTION scim_instant(t text) RETURNS numeric
LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE AS $$
DECLARE
    m text[];
    y int; mo int; d int; h int; mi int; s int; month_days int;
    off int := 0;
    yy int; era int; yoe int; doy int; days bigint; nanos bigint := 0;
BEGIN
    m := regexp_match(t, '^([0-9]{4})-([0-9]{2})-([0-9]{2})[Tt]([0-9]{2}):([0-9]{2}):([0-9]{2})'
                         '(?:\.([0-9]+))?(?:[Zz]|([+-])([0-9]{2}):([0-9]{2}))?$');
    IF m IS NULL THEN
        RETURN NULL;
    END IF;
    y := m[1]::int; mo := m[2]::int; d := m[3]::int;
    h := m[4]::int; mi := m[5]::int; s := m[6]::int;
    month_days := CASE
        WHEN mo = 2 AND y % 4 = 0 AND (y % 100 <> 0 OR y % 400 = 0) THEN 29
        WHEN mo = 2 THEN 28
        WHEN mo IN (4, 6, 9, 11) THEN 30
        ELSE 31 END;
    IF mo < 1 OR mo > 12 OR d < 1 OR d > month_days OR h > 23 OR mi > 59 OR s > 59 THEN
        RETURN NULL;
    END IF;
    IF m[8] IS NOT NULL THEN
        IF m[9]::int > 23 OR m[10]::int > 59 THEN
            RETURN NULL;
        END IF;
        off := m[9]::int * 3600 + m[10]::int * 60;
        IF m[8] = '-' THEN
            off := -off;
        END IF;
    END IF;
    IF m[7] IS NOT NULL THEN
        nanos := rpad(left(m[7], 9), 9, '0')::bigint;
    END IF;
    -- Days since the epoch (H. Hinnant's days_from_civil).
    yy := CASE WHEN mo <= 2 THEN y - 1 ELSE y END;
    era := floor(yy::numeric / 400)::int;
    yoe := yy - era * 400;
    doy := (153 * (CASE WHEN mo > 2 THEN mo - 3 ELSE mo + 9 END) + 2) / 5 + d - 1;
    days := era::bigint * 146097 + yoe * 365 + yoe / 4 - yoe / 100 + doy - 719468;
    RETURN (days * 86400 + h * 3600 + mi * 60 + s - off)::numeric * 1000000000 + nanos;
END
$$;
