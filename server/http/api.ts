/**
 * The HTTP API (see server/README.md). `handleApi` answers the routes it
 * owns and returns false for everything else, which the Next.js app (when
 * mounted) serves.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import {
  createSessionSchema,
  type HealthResponse,
  Limits,
  readRules,
  readSeeds,
  readSessionMeta,
  RewriteError,
  sessionAppPath,
  type SessionInfoResponse,
} from "@/shared/protocol";
import type { SessionService } from "../sessionService";
import type { SessionRecord } from "../store/sessionStore";
import { readJsonBody, requestToken, sendBinary, sendError, sendJson } from "./httpIo";

/** Rendered images of a session. */
export interface ImageSource {
  /** PNG of `seed` with the rule set `rulesHash` (null: the current one). */
  png(session: SessionRecord, seed: number, rulesHash: string | null): Promise<{
    png: Uint8Array;
    rulesHash: string;
  }>;
}

/** The edited generator of a session as a standalone ONNX model. */
export interface ModelExporter {
  onnx(session: SessionRecord, rulesHash: string | null): Promise<{
    bytes: Uint8Array;
    rulesHash: string;
  }>;
}

export interface ApiOptions {
  readonly sessions: SessionService;
  readonly images: ImageSource;
  readonly exporter: ModelExporter;
  readonly health: () => Promise<HealthResponse>;
}

interface RouteContext {
  readonly req: IncomingMessage;
  readonly res: ServerResponse;
  readonly url: URL;
  readonly params: readonly string[];
}

interface Route {
  readonly method: "GET" | "POST";
  readonly pattern: RegExp;
  readonly handle: (context: RouteContext) => Promise<void>;
}

const ID = "([A-Za-z0-9_-]{1,64})";

export function createApi(options: ApiOptions) {
  const { sessions } = options;

  const authorized = (context: RouteContext, need: "view" | "edit") =>
    sessions.authorize(context.params[0]!, requestToken(context.req, context.url), need);

  const rulesParam = (url: URL): string | null => {
    const hash = url.searchParams.get("rules");
    if (hash !== null && !/^[0-9a-f]{64}$/.test(hash)) {
      throw new RewriteError("INVALID_MESSAGE", "rules must be a rule-set hash");
    }
    return hash;
  };

  const routes: Route[] = [
    {
      method: "GET",
      pattern: /^\/healthz$/,
      handle: async ({ res }) => sendJson(res, 200, await options.health()),
    },
    {
      method: "POST",
      pattern: /^\/api\/sessions$/,
      handle: async ({ req, res }) => {
        const body = createSessionSchema.safeParse(await readJsonBody(req, Limits.httpBodyBytes));
        if (!body.success) {
          throw new RewriteError("INVALID_MESSAGE", body.error.issues[0]?.message);
        }
        sendJson(res, 201, sessions.create(body.data));
      },
    },
    {
      method: "GET",
      pattern: new RegExp(`^/api/sessions/${ID}$`),
      handle: async (context) => {
        const { session, role } = authorized(context, "view");
        const info: SessionInfoResponse = {
          id: session.id,
          role,
          model: session.model,
          createdAt: session.createdAt,
          ...(role === "edit" ? { viewUrl: sessionAppPath(session.id, session.viewToken) } : {}),
        };
        sendJson(context.res, 200, info);
      },
    },
    {
      method: "POST",
      pattern: new RegExp(`^/api/sessions/${ID}/snapshots$`),
      handle: async (context) => {
        const { session } = authorized(context, "edit");
        sendJson(context.res, 201, sessions.snapshot(session.id));
      },
    },
    {
      method: "GET",
      pattern: new RegExp(`^/api/sessions/${ID}/rules\\.json$`),
      handle: async (context) => {
        const { session } = authorized(context, "view");
        const body = sessions.withDoc(session.id, (doc) => {
          const meta = readSessionMeta(doc);
          return { model: meta.model, layer: meta.layer, seeds: readSeeds(doc), rules: readRules(doc) };
        });
        sendJson(context.res, 200, body);
      },
    },
    {
      method: "GET",
      pattern: new RegExp(`^/api/sessions/${ID}/image/(\\d{1,10})\\.png$`),
      handle: async (context) => {
        const { session } = authorized(context, "view");
        const seed = Number(context.params[1]);
        if (seed > 2 ** 32 - 1) throw new RewriteError("INVALID_MESSAGE", "seed out of range");
        const requested = rulesParam(context.url);
        const { png, rulesHash } = await options.images.png(session, seed, requested);
        sendBinary(context.req, context.res, png, {
          contentType: "image/png",
          etag: `"${session.model}-${rulesHash.slice(0, 16)}-${seed}"`,
          immutable: requested !== null,
        });
      },
    },
    {
      method: "GET",
      pattern: new RegExp(`^/api/sessions/${ID}/export\\.onnx$`),
      handle: async (context) => {
        const { session } = authorized(context, "view");
        const { bytes, rulesHash } = await options.exporter.onnx(session, rulesParam(context.url));
        sendBinary(context.req, context.res, bytes, {
          contentType: "application/octet-stream",
          etag: `"${session.model}-${rulesHash.slice(0, 16)}-onnx"`,
          immutable: false,
          filename: `${session.model}-${rulesHash.slice(0, 8)}.onnx`,
        });
      },
    },
    {
      method: "GET",
      pattern: new RegExp(`^/api/shares/${ID}$`),
      handle: async ({ res, params }) => sendJson(res, 200, sessions.share(params[0]!)),
    },
    {
      method: "POST",
      pattern: new RegExp(`^/api/shares/${ID}/fork$`),
      handle: async ({ res, params }) => sendJson(res, 201, sessions.fork(params[0]!)),
    },
  ];

  /** Serves the request if a route owns its path; returns whether it did. */
  return async function handleApi(req: IncomingMessage, res: ServerResponse): Promise<boolean> {
    let url: URL;
    try {
      url = new URL(req.url ?? "/", "http://localhost");
    } catch {
      // e.g. an absolute-form target such as "http://[::1": a client error, not a crash.
      sendError(res, new RewriteError("INVALID_MESSAGE", "the request target is not a valid URL"));
      return true;
    }
    const matching = routes
      .map((route) => ({ route, match: route.pattern.exec(url.pathname) }))
      .filter((m) => m.match !== null);
    if (matching.length === 0) return false;
    const found = matching.find((m) => m.route.method === req.method);
    try {
      if (found === undefined) throw new RewriteError("NOT_FOUND", `${req.method} not allowed here`);
      const params = found.match!.slice(1).map((p) => decodeURIComponent(p));
      await found.route.handle({ req, res, url, params });
    } catch (cause) {
      if (!(cause instanceof RewriteError)) throw cause;
      sendError(res, cause);
    }
    return true;
  };
}
