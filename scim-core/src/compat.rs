//! Compatibility with what real SCIM clients send: see [`Compatibility`].

/// Named settings for what real SCIM clients send.
///
/// Microsoft Entra ID and Okta send requests that stray from RFC 7644 in known ways. Each such
/// behaviour has a named setting here. The default accepts them all and stores the RFC form;
/// [`Compatibility::strict`] turns every one off, so a request must follow the RFC to the letter.
/// Two tolerances are not settings, because they cost nothing and reject no valid request: PATCH
/// op names and message keys (`"Add"`, `"Operations"`) are accepted in any case, as RFC 7643
/// §2.1 makes names case-insensitive.
///
/// | setting | what clients send | what the RFC says | default |
/// | --- | --- | --- | --- |
/// | `boolean_strings` | `"True"`, `"False"` for boolean attributes (Entra ID) | a JSON boolean | coerce to a boolean |
/// | `pathless_path_keys` | path-less `replace` whose value keys are paths: `{"name.givenName": "Ann"}`, `{"urn:…:User:department": "Sales"}` (Entra ID) | keys are attribute names | apply each key as a path |
/// | `filtered_add_creates_entry` | `add` to `emails[type eq "work"].value` when no entry matches (Entra ID) | `noTarget` | create one entry seeded with the filter's `eq` terms |
/// | `filtered_replace_creates_entry` | `replace` through a value filter that matches nothing (Entra ID) | `noTarget` | create the entry as `add` does |
/// | `remove_listed_values` | `remove` `members` with a `value` listing the members to remove (Entra ID) | the whole attribute is removed | remove only the listed values |
/// | `remove_missing_ok` | `remove` of a value that is not there (Okta retries) | `noTarget` for a filter that matches nothing | succeed without change |
/// | `single_value_filter` | a `remove` through a value filter on a single-valued complex attribute, `manager[value eq "id"]`, or a `remove` of `manager` listing its value (Entra ID removing a manager) | value filters select entries of multi-valued attributes: `invalidPath` | the filter (or listed value) selects the one value when it matches |
/// | `complex_bare_value` | a bare value for a complex attribute with a `value` sub-attribute: `manager` as an id string (Entra ID), `emails` as strings | an object | wrap it as `{"value": …}` |
/// | `ignore_read_only_in_patch` | path-less `replace` carrying `id` or `meta` (Okta) | `mutability` error | ignore read-only attributes |
/// | `extension_urn_path` | PATCH path equal to an extension URN with an object value | not in the grammar | apply the object to that extension |
/// | `replace_null_removes` | `replace` with a `null` or absent `value` to clear an attribute | `value` is required: `invalidValue` | remove the target |
/// | `extension_add_replaces` | `add` to a multi-valued attribute of a schema extension, `urn:…:User:department_ids`, carrying the whole new set of values (Entra ID's multi-valued custom attributes) | the values are appended | replace the values |
/// | `simple_value_objects` | `[{"value": "1"}]` for a multi-valued attribute of strings, numbers or booleans (Entra ID's multi-valued custom attributes) | the bare values: `invalidValue` | take each object's `value` |
/// | `ignore_unknown_attributes` | attributes the schema does not define | the provider may reject them | ignore them |
///
/// ```
/// use scimkit_core::Compatibility;
///
/// let lenient = Compatibility::default();
/// assert!(lenient.boolean_strings);
/// let strict = Compatibility::strict();
/// assert!(!strict.boolean_strings);
/// let custom = Compatibility::default().with_ignore_unknown_attributes(false);
/// assert!(!custom.ignore_unknown_attributes);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct Compatibility {
    /// Coerce the strings `"true"`/`"false"` (any case) to booleans for boolean attributes.
    pub boolean_strings: bool,
    /// Treat the keys of a path-less `add`/`replace` value as paths (`name.givenName`, URNs).
    pub pathless_path_keys: bool,
    /// An `add` through a value filter that matches no entry creates one, seeded with the
    /// filter's `eq` terms.
    pub filtered_add_creates_entry: bool,
    /// A `replace` through a value filter that matches no entry creates one, like `add`.
    pub filtered_replace_creates_entry: bool,
    /// A `remove` of a multi-valued attribute with a `value` removes only the listed values.
    pub remove_listed_values: bool,
    /// A `remove` whose target is absent or matches nothing succeeds without change.
    pub remove_missing_ok: bool,
    /// A `remove` through a value filter on a single-valued complex attribute
    /// (`manager[value eq "id"]`), or of one with a `value`, removes its value when it matches.
    pub single_value_filter: bool,
    /// Accept a bare value for a complex attribute that has a `value` sub-attribute (the
    /// enterprise `manager` as an id string), wrapping it as `{"value": …}`.
    pub complex_bare_value: bool,
    /// Ignore read-only attributes in PATCH values instead of failing with `mutability`.
    pub ignore_read_only_in_patch: bool,
    /// Accept a PATCH path that is a whole extension URN, with an object value.
    pub extension_urn_path: bool,
    /// A PATCH `replace` whose `value` is `null` or absent removes its target.
    pub replace_null_removes: bool,
    /// An `add` to a multi-valued attribute of a schema extension replaces its values.
    pub extension_add_replaces: bool,
    /// Accept `{"value": …}` for an entry of a multi-valued attribute that is not complex,
    /// taking the `value`.
    pub simple_value_objects: bool,
    /// Ignore attributes the schema does not define instead of failing.
    pub ignore_unknown_attributes: bool,
}

impl Default for Compatibility {
    /// Accept everything real clients are known to send.
    fn default() -> Self {
        Self {
            boolean_strings: true,
            pathless_path_keys: true,
            filtered_add_creates_entry: true,
            filtered_replace_creates_entry: true,
            remove_listed_values: true,
            remove_missing_ok: true,
            single_value_filter: true,
            complex_bare_value: true,
            ignore_read_only_in_patch: true,
            extension_urn_path: true,
            replace_null_removes: true,
            extension_add_replaces: true,
            simple_value_objects: true,
            ignore_unknown_attributes: true,
        }
    }
}

impl Compatibility {
    /// Follow RFC 7644 to the letter: every setting off.
    pub fn strict() -> Self {
        Self {
            boolean_strings: false,
            pathless_path_keys: false,
            filtered_add_creates_entry: false,
            filtered_replace_creates_entry: false,
            remove_listed_values: false,
            remove_missing_ok: false,
            single_value_filter: false,
            complex_bare_value: false,
            ignore_read_only_in_patch: false,
            extension_urn_path: false,
            replace_null_removes: false,
            extension_add_replaces: false,
            simple_value_objects: false,
            ignore_unknown_attributes: false,
        }
    }

    /// These settings with `single_value_filter` set to `on`.
    #[must_use]
    pub fn with_single_value_filter(mut self, on: bool) -> Self {
        self.single_value_filter = on;
        self
    }

    /// These settings with `ignore_unknown_attributes` set to `on`.
    #[must_use]
    pub fn with_ignore_unknown_attributes(mut self, on: bool) -> Self {
        self.ignore_unknown_attributes = on;
        self
    }

    /// These settings with `extension_add_replaces` set to `on`.
    #[must_use]
    pub fn with_extension_add_replaces(mut self, on: bool) -> Self {
        self.extension_add_replaces = on;
        self
    }

    /// These settings with `boolean_strings` set to `on`.
    #[must_use]
    pub fn with_boolean_strings(mut self, on: bool) -> Self {
        self.boolean_strings = on;
        self
    }

    /// These settings with `remove_missing_ok` set to `on`.
    #[must_use]
    pub fn with_remove_missing_ok(mut self, on: bool) -> Self {
        self.remove_missing_ok = on;
        self
    }
}
