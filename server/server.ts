/**
 * Assembles the server: one HTTP server carrying the API, the socket.io
 * endpoint and (optionally) the Next.js app, on one port.
 */
import http from "node:http";
import type { AddressInfo } from "node:net";
import { createAdapter } from "@socket.io/redis-adapter";
import type { Logger } from "pino";
import { Server } from "socket.io";
import {
  type ClientToServerEvents,
  Events,
  type HealthResponse,
  Limits,
  RewriteError,
  type ServerToClientEvents,
  SOCKET_PATH,
} from "@/shared/protocol";
import type { ServerConfig } from "./config";
import { EngineService } from "./engine/engineService";
import { ModelExportService } from "./export/modelExport";
import { createApi } from "./http/api";
import { sendError } from "./http/httpIo";
import { JobQueue } from "./jobs/jobQueue";
import { type SessionEmitter, SessionJobs } from "./jobs/sessionJobs";
import { ModelRegistry } from "./models";
import { RoomRegistry } from "./rooms/roomRegistry";
import { type Fanout, LocalFanout } from "./scaleout/fanout";
import { RedisFanout } from "./scaleout/redisFanout";
import { SessionService } from "./sessionService";
import { attachConnection, socketRoom } from "./socket/connection";
import { ArtifactStore } from "./store/artifactStore";
import { openDatabase } from "./store/database";
import { randomId } from "./store/ids";
import { SessionStore } from "./store/sessionStore";

export interface RewriteServer {
  /** Base URL, e.g. http://127.0.0.1:41234. */
  readonly url: string;
  readonly port: number;
  readonly serverId: string;
  /** Stops accepting, cancels jobs, compacts and closes storage. */
  close(): Promise<void>;
}

type NextHandler = (req: http.IncomingMessage, res: http.ServerResponse) => Promise<void>;

export async function startRewriteServer(config: ServerConfig, logger: Logger): Promise<RewriteServer> {
  const serverId = randomId(6);
  const db = openDatabase({ file: config.dbFile, synchronous: config.dbSynchronous });
  const store = new SessionStore(db);
  const artifacts = new ArtifactStore(db);
  const models = await ModelRegistry.discover(config.modelDirs, logger);
  const fanout: Fanout =
    config.redisUrl === null
      ? new LocalFanout(serverId)
      : await RedisFanout.connect(config.redisUrl, serverId, logger);

  const httpServer = http.createServer();
  const io = new Server<ClientToServerEvents, ServerToClientEvents>(httpServer, {
    path: SOCKET_PATH,
    maxHttpBufferSize: Limits.transportBytes,
    serveClient: false,
  });
  if (fanout instanceof RedisFanout) {
    const { publisher } = fanout.clients;
    io.adapter(createAdapter(publisher.duplicate(), publisher.duplicate()));
  }

  const rooms: RoomRegistry = new RoomRegistry({
    store,
    fanout,
    logger,
    compactEvery: config.compactEvery,
    idleMs: config.roomIdleMs,
    broadcastFor: (sessionId) => ({
      sync: (message, except) => localRoom(sessionId, except).emit(Events.sync, message),
      awareness: (update, except) => localRoom(sessionId, except).emit(Events.awareness, update),
    }),
    onLoad: (room) => jobs.attach(room),
  });
  const localRoom = (sessionId: string, except: string | null) => {
    const target = io.local.to(socketRoom(sessionId));
    return except === null ? target : target.except(except);
  };
  const emit: SessionEmitter = {
    progress: (id, progress) => io.to(socketRoom(id)).emit(Events.jobProgress, progress),
    finished: (id, finished) => io.to(socketRoom(id)).emit(Events.jobFinished, finished),
    renderReady: (id, ready) => io.to(socketRoom(id)).emit(Events.renderReady, ready),
  };
  const queue = new JobQueue(config.jobs);
  const engine = new EngineService({
    models,
    artifacts,
    logger,
    statsFallbackSamples: config.statsFallbackSamples,
  });
  const jobs = new SessionJobs({
    queue,
    engine,
    rooms,
    store,
    artifacts,
    emit,
    logger,
    renderDelayMs: config.renderDelayMs,
  });
  const sessions = new SessionService(store, artifacts, models);
  const health = async (): Promise<HealthResponse> => {
    const model = models.defaultName;
    return {
      ok: true,
      serverId,
      model,
      executionProvider: model === null ? null : await models.executionProvider(model),
      sessionsOpen: rooms.size,
      jobs: queue.stats,
    };
  };
  const api = createApi({
    sessions,
    images: jobs,
    exporter: new ModelExportService(models, store, artifacts),
    health,
  });
  const next = config.next === null ? null : await prepareNext(config.next, logger);

  httpServer.on("request", (req, res) => {
    void (async () => {
      try {
        if (await api(req, res)) return;
        if (next !== null) return await next.handle(req, res);
        sendError(res, new RewriteError("NOT_FOUND"));
      } catch (cause) {
        logger.error({ err: cause, url: req.url, method: req.method }, "request failed");
        sendError(res, cause);
      }
    })();
  });
  io.on("connection", (socket) =>
    attachConnection(socket, {
      store,
      rooms,
      jobs,
      logger,
      serverId,
      messageRate: config.messageRate,
      awarenessRate: config.awarenessRate,
    }),
  );

  await new Promise<void>((resolve, reject) => {
    httpServer.once("error", reject);
    httpServer.listen(config.port, config.host, () => resolve());
  });
  const port = (httpServer.address() as AddressInfo).port;
  const url = `http://${config.host}:${port}`;
  logger.info(
    {
      url,
      serverId,
      db: config.dbFile,
      synchronous: config.dbSynchronous,
      models: models.names,
      next: config.next,
      redis: config.redisUrl !== null,
      jobs: config.jobs,
    },
    "server listening",
  );

  let closing: Promise<void> | null = null;
  const close = () => {
    closing ??= (async () => {
      jobs.close();
      queue.close();
      io.disconnectSockets(true);
      await new Promise<void>((resolve) => io.close(() => resolve()));
      await rooms.closeAll();
      await fanout.close();
      await next?.close();
      await models.release();
      db.close();
      logger.info({ serverId }, "server closed; storage flushed");
    })();
    return closing;
  };
  return { url, port, serverId, close };
}

async function prepareNext(
  options: { dev: boolean; dir: string },
  logger: Logger,
): Promise<{ handle: NextHandler; close: () => Promise<void> }> {
  const { default: next } = await import("next");
  const app = next({ dev: options.dev, dir: options.dir });
  await app.prepare();
  logger.info({ dev: options.dev, dir: options.dir }, "next.js app ready");
  const handle = app.getRequestHandler();
  return { handle: (req, res) => handle(req, res), close: () => app.close() };
}
