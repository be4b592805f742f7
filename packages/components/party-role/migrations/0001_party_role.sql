SELECT operon_create_resource_table('party_role', 'status');
-- name and status filters use the B-tree columns made above; engagedParty.id, relatedParty.id and
-- roleType filters are jsonpath predicates served by its GIN (jsonb_path_ops) index.
-- A party holds a role type once at a time: the check looks up the live roles of a party by role type.
CREATE INDEX IF NOT EXISTS party_role_live_by_party ON party_role ((doc->'engagedParty'->>'id'), (doc->'roleType'->>'id'))
  WHERE status NOT IN ('Rejected', 'Closed');
