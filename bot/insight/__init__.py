"""What the assistant counts for the LSCP's insight report: events by day, kind and key, never message text."""
