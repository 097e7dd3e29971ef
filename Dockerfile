# One image for every Saylau role: validators, the one-shot election generator, the CLI.
# The official Node 24 image already is the runtime the project pins, so the `node`
# dev dependency is not installed here (--omit=dev); TypeScript runs by type stripping.
FROM node:24-bookworm-slim
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund
COPY bin ./bin
COPY src ./src
ENV NODE_ENV=production
ENTRYPOINT ["node", "/app/src/cli/main.ts"]
CMD ["--help"]
