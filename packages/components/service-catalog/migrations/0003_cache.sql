-- Service specifications are read at every order and change rarely: nodes keep them in memory, and
-- this tells every node of each change.
SELECT operon_cache_documents('service_catalog_specification');
