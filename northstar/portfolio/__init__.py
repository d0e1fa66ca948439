"""The portfolio: ideas, features and initiatives, and how they move from idea to measured outcome."""
