"""The HTTP face: Slack's requests signature-checked, shape-checked, then handed to Bolt, behind waitress."""
