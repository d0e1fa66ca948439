"""Vision, objectives and key results, KPIs and the north-star metric tree, alignment of work."""
