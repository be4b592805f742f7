SELECT operon_create_resource_table('service_inventory', 'state');
