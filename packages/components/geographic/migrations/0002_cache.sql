-- Qualification and every order ask which access area serves an address or a site; they change
-- rarely: nodes keep them in memory, and this tells every node of each change.
SELECT operon_cache_documents('geographic_address');
SELECT operon_cache_documents('geographic_site');
