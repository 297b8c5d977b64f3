"""HTTP only, by page family: `pledge` (drafting, targets, signing, documents)
and `reports` (results, evidence, review)."""
