declare module 'opentok' {
  interface OpenTokOptions {
    apiUrl?: string;
    timeout?: number;
  }
  interface Session {
    sessionId: string;
  }
  class OpenTok {
    constructor(apiKey: string, apiSecret: string, options?: OpenTokOptions | string);
    apiUrl: string;
    createSession(options: Record<string, unknown>, callback: (err: Error | null, session?: Session) => void): void;
    generateToken(sessionId: string, options?: Record<string, unknown>): string;
  }
  export default OpenTok;
}
declare module 'opentok/lib/generateJwt.js' {
  export default function generateJwt(
    config: { apiKey: string; apiSecret: string; auth: { expire: number }; callVonage?: boolean },
    additionalClaims?: Record<string, unknown>,
  ): string;
}
