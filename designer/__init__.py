"""The Flowdesk app: the web pages for each role and the command line."""
