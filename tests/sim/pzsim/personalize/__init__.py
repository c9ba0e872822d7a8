"""Amazon Personalize: control plane (control), data and schema checks and
model training (data), filter expressions (filters), the recipe catalog
(catalog), and the runtime and events APIs (runtime)."""
