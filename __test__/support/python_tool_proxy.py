# The Python Tool Proxy snippet of Scalekit's docs (AgentKit, "Bring your own connector" >
# "Making tool calls" > "REST API proxy calls", Python tab; scalekit-inc/developer-docs, MIT License,
# Copyright (c) 2024 Scalekit Inc), unchanged. Run by
# __test__/official-sdk-python.test.mjs with scalekit-sdk-python==2.21.0; only the environment
# points it at LocalScalekit (SCALEKIT_ENV_URL, SCALEKIT_CLIENT_ID, SCALEKIT_CLIENT_SECRET, and
# GRPC_DEFAULT_SSL_ROOTS_FILE_PATH / REQUESTS_CA_BUNDLE for its CA). Everything below this comment
# is the docs' text.
import scalekit.client, os
from dotenv import load_dotenv
load_dotenv()

connection_name = "your-provider-connection"  # get your connection name from connection configurations
identifier = "user_123"  # your unique user identifier

# Get your credentials from app.scalekit.com → Developers → Settings → API Credentials
scalekit_client = scalekit.client.ScalekitClient(
    client_id=os.getenv("SCALEKIT_CLIENT_ID"),
    client_secret=os.getenv("SCALEKIT_CLIENT_SECRET"),
    env_url=os.getenv("SCALEKIT_ENV_URL"),
)
actions = scalekit_client.actions

# Authenticate the user
link_response = actions.get_authorization_link(
    connection_name=connection_name,
    identifier=identifier
)
# present this link to your user for authorization, or click it yourself for testing
print("Authorize connector:", link_response.link)
input("Press Enter after authorizing...")

# Make a request via Scalekit proxy
result = actions.request(
    connection_name=connection_name,
    identifier=identifier,
    path="/v1/customers",
    method="GET"
)
print(result)
