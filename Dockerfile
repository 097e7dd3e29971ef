# One image for every Saylau role: validators, the one-shot election generator, the CLI.
# The official Node 24 image already is the runtime the project pins, so the `node`
# dev dependency is not installed here (--omit=dev); TypeScript runs by type stripping.
FROM node:24-bookworm-slim
WORKDIR /app
# The sources come first: `npm ci` builds the web app (the `prepare` script, esbuild) from
# web/ and src/ into web/dist, which every validator serves at /.
COPY package.json package-lock.json ./
COPY bin ./bin
COPY src ./src
COPY scripts ./scripts
COPY web ./web
RUN npm ci --omit=dev --no-audit --no-fund
ENV NODE_ENV=production
ENTRYPOINT ["node", "/app/src/cli/main.ts"]
CMD ["--help"]
