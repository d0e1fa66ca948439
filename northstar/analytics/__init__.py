"""Product usage events, funnels, retention and UX friction."""
