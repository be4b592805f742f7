SELECT operon_create_resource_table('customer', 'status');
-- name and status filters use the B-tree columns made above; engagedParty.id, relatedParty.id,
-- account.id and other nested filters are jsonpath predicates served by its GIN (jsonb_path_ops) index.
