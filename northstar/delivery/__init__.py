"""Work items synced from Jira, Linear and GitHub, throughput and delivery forecasts."""
