/** Matches requests to the manifest's routes the way an API Gateway HTTP API does. */
import { functionDefinitions, type FunctionDefinition, type RouteDefinition } from '#shared/contracts/function-manifest.js';

export interface MatchedRoute {
  definition: FunctionDefinition;
  route: RouteDefinition;
  /** `POST /api/v3/evaluations`: the route as written, as in the event's `routeKey`. */
  routeKey: string;
  /** URL-decoded values of the `{name}` segments. */
  pathParameters: Record<string, string>;
}

type Segment = { literal: string } | { parameter: string };

interface CompiledRoute {
  definition: FunctionDefinition;
  route: RouteDefinition;
  segments: Segment[];
  literals: number;
}

function compile(definitions: FunctionDefinition[]): CompiledRoute[] {
  return definitions.flatMap((definition) =>
    definition.routes.map((route) => {
      const segments: Segment[] = route.path
        .split('/')
        .slice(1)
        .map((part) => {
          const parameter = /^\{([^}+]+)\}$/.exec(part)?.[1];
          return parameter ? { parameter } : { literal: part };
        });
      return { definition, route, segments, literals: segments.filter((segment) => 'literal' in segment).length };
    }),
  );
}

export function createRouter(definitions: FunctionDefinition[] = functionDefinitions) {
  const routes = compile(definitions);
  return function matchRoute(method: string, rawPath: string): MatchedRoute | undefined {
    const parts = rawPath.split('/').slice(1);
    let best: MatchedRoute | undefined;
    let bestLiterals = -1;
    for (const candidate of routes) {
      if (candidate.route.method !== method || candidate.segments.length !== parts.length) continue;
      const pathParameters = matchSegments(candidate.segments, parts);
      // API Gateway prefers the most specific route: `/evaluations/latest` over `/evaluations/{id}`.
      if (pathParameters && candidate.literals > bestLiterals) {
        best = {
          definition: candidate.definition,
          route: candidate.route,
          routeKey: `${candidate.route.method} ${candidate.route.path}`,
          pathParameters,
        };
        bestLiterals = candidate.literals;
      }
    }
    return best;
  };
}

function matchSegments(segments: Segment[], parts: string[]): Record<string, string> | undefined {
  const parameters: Record<string, string> = {};
  for (const [index, segment] of segments.entries()) {
    const part = parts[index] ?? '';
    if ('literal' in segment) {
      if (segment.literal !== part) return undefined;
      continue;
    }
    if (part === '') return undefined;
    try {
      parameters[segment.parameter] = decodeURIComponent(part);
    } catch {
      return undefined;
    }
  }
  return parameters;
}
