//! The member-name spellings filters look up, recorded with each write.

use std::sync::PoisonError;

use scimkit_core::{JsonObject, Result};

use crate::filter;
use crate::tx::Tx;
use crate::{PostgresStore, backend};

impl PostgresStore {
    /// Records, in `tx`, the member names of `resources` (of `resource_type`) not yet known to
    /// be recorded; returns them, to be marked known once `tx` commits.
    pub(crate) async fn record_spellings<'r>(
        &self,
        tx: &Tx<'_>,
        resource_type: &str,
        resources: impl IntoIterator<Item = &'r JsonObject>,
    ) -> Result<Vec<(String, String)>> {
        let mut names = std::collections::BTreeSet::new();
        for resource in resources {
            for (key, value) in resource {
                names.insert(key.clone());
                filter::spellings_of(value, &mut names);
            }
        }
        let new: Vec<(String, String)> = {
            let known = self.inner.spellings.lock().unwrap_or_else(PoisonError::into_inner);
            names
                .into_iter()
                .map(|n| (resource_type.to_owned(), n))
                .filter(|k| !known.contains(k))
                .collect()
        };
        if !new.is_empty() {
            let spellings: Vec<&str> = new.iter().map(|(_, n)| n.as_str()).collect();
            let lower: Vec<String> = spellings.iter().map(|n| n.to_ascii_lowercase()).collect();
            tx.execute(
                "INSERT INTO scim_spellings (resource_type, lower_name, spelling) \
                 SELECT $1, l, s FROM unnest($2::text[], $3::text[]) AS u(l, s) \
                 ON CONFLICT DO NOTHING",
                &[&resource_type, &lower, &spellings],
            )
            .await
            .map_err(backend)?;
        }
        Ok(new)
    }

    /// Marks spellings recorded by a committed transaction as known.
    pub(crate) fn spellings_committed(&self, new: Vec<(String, String)>) {
        if !new.is_empty() {
            let mut known = self.inner.spellings.lock().unwrap_or_else(PoisonError::into_inner);
            known.extend(new);
        }
    }
}
