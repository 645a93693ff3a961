"""The MCP server: the engine's deterministic tools over stdio, confined to the server's roots."""
