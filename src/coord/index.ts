// Coordination between kisd processes on several hosts: the Redis connection and its options.
export { openRedisConnection, type RedisConnection, type RedisConnectionOptions, type RedisLinkState, type CoordLog } from './redis/connection.js';
export { resolveRedis, displayRedisUrl, REDIS_PASSWORD_ENV, type RedisSettings, type ResolvedRedis } from './redis/redis-options.js';
