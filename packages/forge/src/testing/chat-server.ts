// A chat-completions endpoint run by a test (node:http on loopback): it records each request
// (Authorization header and JSON body) and answers with the text `answer` returns for it, or
// never answers when that is null (to exercise the forge's timeout).
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";

export interface ChatRequest {
  auth?: string;
  body: any;
}

export interface ChatServer {
  /** The API's base URL, for MICELIO_LLM_URL. */
  url: string;
  requests: ChatRequest[];
  close(): Promise<void>;
}

export async function startChatServer(answer: (req: ChatRequest) => string | null): Promise<ChatServer> {
  const requests: ChatRequest[] = [];
  const server = createServer((req, res) => {
    let body = "";
    req.on("data", (d) => (body += d));
    req.on("end", () => {
      const request = { auth: req.headers.authorization, body: JSON.parse(body) };
      requests.push(request);
      const content = answer(request);
      if (content === null) return;
      res.writeHead(200, { "content-type": "application/json" });
      res.end(JSON.stringify({ choices: [{ message: { role: "assistant", content } }] }));
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}/v1`,
    requests,
    async close() {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    },
  };
}
