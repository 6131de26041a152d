// Serves @apollo/gateway over the subgraphs named in argv[2] ([{"name", "url"}, ...]) with
// @apollo/server on a free 127.0.0.1 port, and prints {"url": ...} once it listens.
import { ApolloGateway, IntrospectAndCompose } from "@apollo/gateway";
import { ApolloServer } from "@apollo/server";
import { startStandaloneServer } from "@apollo/server/standalone";

const subgraphs = JSON.parse(process.argv[2]);
const gateway = new ApolloGateway({ supergraphSdl: new IntrospectAndCompose({ subgraphs }) });
const server = new ApolloServer({ gateway });
const { url } = await startStandaloneServer(server, { listen: { host: "127.0.0.1", port: 0 } });
process.stdout.write(`${JSON.stringify({ url })}\n`);
