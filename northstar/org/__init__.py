"""The product division: people, product lines, products and teams."""
