// Composes subgraph SDLs with Apollo's own composition and prints {errors, hints, supergraphSdl}.
// Input on stdin: [{"name": ..., "url": ..., "sdl": ...}, ...].
import { readFileSync } from "node:fs";
import { composeServices } from "@apollo/composition";
import { parse } from "graphql";

const services = JSON.parse(readFileSync(0, "utf8"));
const result = composeServices(
  services.map(({ name, url, sdl }) => ({ name, url, typeDefs: parse(sdl) })),
);
process.stdout.write(
  JSON.stringify({
    errors: (result.errors ?? []).map((e) => ({ code: e.extensions?.code, message: e.message })),
    hints: (result.hints ?? []).map((h) => ({ code: h.definition.code, message: h.message })),
    supergraphSdl: result.supergraphSdl ?? null,
  }),
);
