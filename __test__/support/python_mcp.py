"""MCP with the official Scalekit Python SDK and the Python MCP SDK, against LocalScalekit.

The Scalekit SDK (gRPC, always over TLS) creates an MCP configuration and mints a session token
for it; the MCP SDK's Streamable HTTP client then opens the configuration's server with that
token, lists its tools and calls one. Reads SCALEKIT_ENV_URL, SCALEKIT_CLIENT_ID and
SCALEKIT_CLIENT_SECRET; trust comes from GRPC_DEFAULT_SSL_ROOTS_FILE_PATH (gRPC),
REQUESTS_CA_BUNDLE (the token request) and SSL_CERT_FILE (the MCP client). Prints one JSON line of
what each step answered, for __test__/official-sdk-python-mcp.test.mjs.
"""

import asyncio
import json
import os
from datetime import timedelta

import httpx2
from mcp import ClientSession
from mcp.client.streamable_http import streamable_http_client
from scalekit import ScalekitClient
from scalekit.actions.models.mcp_config import McpConfigConnectionToolMapping

scalekit = ScalekitClient(
    os.environ["SCALEKIT_ENV_URL"],
    os.environ["SCALEKIT_CLIENT_ID"],
    os.environ["SCALEKIT_CLIENT_SECRET"],
)

created = scalekit.actions.mcp.create_config(
    name="py-assistant",
    description="Made by the Python SDK",
    connection_tool_mappings=[McpConfigConnectionToolMapping(connection_name="crm", tools=["crm_list"])],
)
config = created.config
listed = scalekit.actions.mcp.list_configs(filter_name="py-assistant")
session = scalekit.actions.mcp.create_session_token(
    mcp_config_id=config.id,
    identifier="u1",
    expiry=timedelta(minutes=10),
)


async def use_server():
    headers = {"Authorization": f"Bearer {session.token}"}
    async with httpx2.AsyncClient(headers=headers) as http:
        async with streamable_http_client(config.mcp_server_url, http_client=http) as streams:
            async with ClientSession(*streams[:2]) as mcp:
                init = await mcp.initialize()
                tools = await mcp.list_tools()
                result = await mcp.call_tool("crm_list", {"limit": 3})
                return init, tools, result


init, tools, result = asyncio.run(use_server())
print(
    json.dumps(
        {
            "config": {
                "id": config.id,
                "name": config.name,
                "mcp_server_url": config.mcp_server_url,
                "mappings": [m.model_dump() for m in config.connection_tool_mappings],
            },
            "listed": [c.name for c in listed.configs],
            "expires_at": session.expires_at.isoformat() if session.expires_at else None,
            "server": init.server_info.name,
            "tools": [t.model_dump(by_alias=True, mode="json", exclude_none=True) for t in tools.tools],
            "result": result.model_dump(by_alias=True, mode="json", exclude_none=True),
        }
    )
)
