"""GUI-free core: model, Open311 client, store, sync, rules, deadlines, stats, reports."""
