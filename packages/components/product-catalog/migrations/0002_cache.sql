-- Offerings, their prices and specifications are read at every order and change rarely: nodes keep
-- them in memory, and this tells every node of each change.
SELECT operon_cache_documents('product_catalog_offering');
SELECT operon_cache_documents('product_catalog_offering_price');
SELECT operon_cache_documents('product_catalog_specification');
