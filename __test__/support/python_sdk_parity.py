# The official scalekit-sdk-python 2.21.0, unchanged, calling what it has beyond the Node SDK
# against LocalScalekit over TLS (gRPC): custom providers (ProviderService), SearchTools and
# GetConnectedAccountDetails. Run by __test__/official-sdk-python.test.mjs, which reads the JSON
# this prints. The environment points it at LocalScalekit (SCALEKIT_* and the CA variables).
import json
import os

import scalekit.client
from scalekit.actions.models.custom_provider import AuthPattern
from scalekit.actions.models.requests.create_custom_provider_request import CreateCustomProviderRequest
from scalekit.actions.models.requests.delete_custom_provider_request import DeleteCustomProviderRequest
from scalekit.actions.models.requests.list_providers_request import ListProvidersRequest
from scalekit.actions.models.requests.update_custom_provider_request import UpdateCustomProviderRequest

client = scalekit.client.ScalekitClient(
    client_id=os.environ["SCALEKIT_CLIENT_ID"],
    client_secret=os.environ["SCALEKIT_CLIENT_SECRET"],
    env_url=os.environ["SCALEKIT_ENV_URL"],
)
providers = client.actions.providers
out = {}

created = providers.create_custom_provider(CreateCustomProviderRequest(
    display_name="Py Docs MCP",
    proxy_url="https://docs.example/mcp",
    description="From Python",
    auth_patterns=[AuthPattern(type="NO_AUTH", display_name="No auth", is_mcp=True)],
    metadata={"owner": "python"},
))
identifier = created.provider.identifier
out["created"] = {
    "identifier": identifier,
    "display_name": created.provider.display_name,
    "is_custom_mcp": created.provider.is_custom_mcp,
    "metadata": dict(created.provider.metadata),
    "auth_types": [p.type for p in created.provider.auth_patterns],
}
listed = providers.list_providers(ListProvidersRequest(provider_type=1))
out["custom"] = sorted(p.identifier for p in listed.providers)
updated = providers.update_custom_provider(UpdateCustomProviderRequest(
    identifier=identifier, display_name="Py Docs", proxy_url="https://docs.example/v2",
))
out["updated"] = {"display_name": updated.provider.display_name, "proxy_url": updated.provider.proxy_url}
providers.delete_custom_provider(DeleteCustomProviderRequest(identifier=identifier))
out["after_delete"] = sorted(p.identifier for p in providers.list_providers(ListProvidersRequest(provider_type=1)).providers)

found, _ = client.tools.search_tools(query="send an email", identifier="user_123", top_k=5)
out["search"] = [
    {"name": t.name, "connections": [[c.connection_name, c.readiness_state] for c in t.connections]}
    for t in found.tools
]

details = client.actions.get_connected_account_details(connection_name="gmail", identifier="user_123")
out["details"] = {
    "status": details.connected_account.status,
    "connector": details.connected_account.connector,
    "has_credentials": bool(details.connected_account.authorization_details),
}
print(json.dumps(out))
