from tortoise import BaseDBAsyncClient

RUN_IN_TRANSACTION = True


async def upgrade(db: BaseDBAsyncClient) -> str:
    return """
        CREATE TABLE IF NOT EXISTS "users" (
    "id" INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    "username" VARCHAR(32) NOT NULL UNIQUE,
    "display_name" VARCHAR(64) NOT NULL,
    "password_hash" VARCHAR(255) NOT NULL,
    "recovery_hash" VARCHAR(255) NOT NULL,
    "session_version" INT NOT NULL,
    "created_at" TIMESTAMP NOT NULL
);
CREATE TABLE IF NOT EXISTS "refresh_tokens" (
    "id" INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    "family" VARCHAR(36) NOT NULL,
    "token_hash" VARCHAR(64) NOT NULL UNIQUE,
    "expires_at" TIMESTAMP NOT NULL,
    "revoked_at" TIMESTAMP,
    "created_at" TIMESTAMP NOT NULL,
    "user_id" BIGINT NOT NULL REFERENCES "users" ("id") ON DELETE CASCADE
) /* One rotating refresh token; `family` ties a login's chain of rotations together. */;
CREATE INDEX IF NOT EXISTS "idx_refresh_tok_family_8ce7f3" ON "refresh_tokens" ("family");
CREATE INDEX IF NOT EXISTS "idx_refresh_tok_user_id_9ddaa8" ON "refresh_tokens" ("user_id");
CREATE TABLE IF NOT EXISTS "rooms" (
    "id" INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    "kind" VARCHAR(8) NOT NULL,
    "name" VARCHAR(80) NOT NULL,
    "dm_key" VARCHAR(48) UNIQUE,
    "last_seq" BIGINT NOT NULL,
    "created_at" TIMESTAMP NOT NULL,
    "last_activity_at" TIMESTAMP NOT NULL
);
CREATE INDEX IF NOT EXISTS "idx_rooms_last_ac_ab8fb4" ON "rooms" ("last_activity_at");
CREATE INDEX IF NOT EXISTS "idx_rooms_kind_356517" ON "rooms" ("kind", "id");
CREATE TABLE IF NOT EXISTS "memberships" (
    "id" INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    "last_read_seq" BIGINT NOT NULL,
    "joined_at" TIMESTAMP NOT NULL,
    "room_id" BIGINT NOT NULL REFERENCES "rooms" ("id") ON DELETE CASCADE,
    "user_id" BIGINT NOT NULL REFERENCES "users" ("id") ON DELETE CASCADE,
    CONSTRAINT "uid_memberships_room_id_a563e5" UNIQUE ("room_id", "user_id")
);
CREATE INDEX IF NOT EXISTS "idx_memberships_user_id_6b1e99" ON "memberships" ("user_id");
CREATE TABLE IF NOT EXISTS "messages" (
    "id" INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    "seq" BIGINT NOT NULL,
    "body" TEXT NOT NULL,
    "client_msg_id" VARCHAR(64) NOT NULL,
    "created_at" TIMESTAMP NOT NULL,
    "edited_at" TIMESTAMP,
    "deleted" INT NOT NULL,
    "room_id" BIGINT NOT NULL REFERENCES "rooms" ("id") ON DELETE CASCADE,
    "sender_id" BIGINT NOT NULL REFERENCES "users" ("id") ON DELETE CASCADE,
    CONSTRAINT "uid_messages_room_id_8df77b" UNIQUE ("room_id", "seq"),
    CONSTRAINT "uid_messages_room_id_54d00c" UNIQUE ("room_id", "sender_id", "client_msg_id")
);
CREATE TABLE IF NOT EXISTS "aerich" (
    "id" INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    "version" VARCHAR(255) NOT NULL,
    "app" VARCHAR(100) NOT NULL,
    "content" JSON NOT NULL
);"""


async def downgrade(db: BaseDBAsyncClient) -> str:
    return """
        """


MODELS_STATE = (
    "eJztW11z2jgU/Ssev2w6080QIAm7+wQpadkm0CF0t9NMxxW2AC22RCyRhOnmv68k2/hTLJ"
    "BAjOunhCtdWT73yj5HV/6hO8SCNj3uw5EL6WRAphDrv2s/dAwcyP/JbH+r6WA2C1uFgYGh"
    "LR1cr6fBRFfZBIaUucBkvHUEbAq5yYLUdNGMISKupvcw1FzCAEN4rPkDaHKAP7TvI+Age/"
    "FdYwhSDWg2GSP8C9XMCUBYIyPfkWDKPcaQTaB7LK5qEZNflg+4qwvMMbqbQyOw8cvcfuNm"
    "hC34CGnwczY1RgjaVgxUZIkBpN1gi5m0tdC4g9ml7CumPzRMYs8dHPafLdiE4KUDwkxYxx"
    "BDFzAorsDcuUAXz23bD0cAuDfZsIs3y4iPBUdgbosYCW9vAqFNN4xub2DctAeGoafiF3hE"
    "EPdNJkeNx55PlUoAxmIKv/5WrdZq59VK7axxWj8/P21UGryvnG+66fzJm0yIljeUxKzzvt"
    "MdiAkRnmBe/gnDk/QBDHheMhgh+l680xG4mAA3G//QIxEDfnPJGASIrwpCYHilKDjg0bAh"
    "HrMJ/1k7WwHwX83+xYdm/6h29iaOctdvqcomgXeIr1xXxgTQySYYx71eBufXTfYYzGf1NW"
    "A+qythFk1xmOHjDPHnmAFYGuZ3HCSGHJgNddwzAbXlux4H/7xMgodP/j1AvwLqQee6fTNo"
    "Xn8SwzuU3tkSr+agLVqq0rpIWI+S2b8cRPu7M/igiZ/a1163LeEklI1decWw3+CrLuYE5o"
    "wYmDwYwIpiEpgDUyzMLrznK8PaIsxxzxcIs796yii/fJRNFwrct4hy3LOAi5nnMbB6mL9/"
    "vQw8kLD7i2Vl1OcUusamZDDi9P+M8ADYyN44oaDjo2kmJRSYpqNwSVyIxvgjXMhIdPi8AT"
    "ZhBvK+SvrsD3NYEXgKMiywhtd3wcNSvkQTj986v2HIPE7XvLlovmvrEuAhMKcPwLWMGNKi"
    "hVRJwrLsm25yqk7SAjAYS2zEXYg5R0HPkKxBMNRSVdzQegpVjWWpAnO84t+uUIEi+PL/VA"
    "zUGiXqUziFUquuIwSraiFYTSoUC9GZDRbGpjAn/XYluvdLY3YsB2eA0gfCH6abCu+UYwHh"
    "rp6eroE376UEXLY9JZSZSe6hu9gY8ZRjifh6iFNIKZ+VwcETf9OYK9+dGZ67Is9p0Cu7fZ"
    "FWT+rn9UbtrL58fy4tq16bwSuyFKE/nwhNSSE1dY8+75KVnQR39f0vP/ahLSsmaqWUrCcd"
    "WDqoJFNsOTnQGfLHzQTNngnW9XKg4kJFKVd3z8ZJjlIkkHYpnCNplSGf40mnFtGJLH9ZKX"
    "2ru4Q4stoq1Py3UlofgrS2AWWGeGEaFN5tFoiUa2FY2l5iEsbgH4LwVlQu5lgyubwzuZgg"
    "5c/KjcsJEaf9rbWCPALLSk7uKjkBX3hmJafvD3Ngyb9uKSey6LNLOcncLotjh1kcCyRRJs"
    "FfqqVV7D4UZrui9oLp8ZuIGnioZa6YNoKYGQ4dC2xL+p+bJ/Aq+r8x6d871S9ICELIh8TK"
    "ONA6gI8KxIP+hSg8rGLw7S+DGHkPygtH180vb2IE/qrXfR90j5QjLq56reQ2eeyhlEJdXf"
    "dJORYC/l0XNsuqhBr64mpZaKHtgh5zLA+95vnQq8eSs7gaITYEWHE6JPRKhHfI3Xa1ipeW"
    "/ca01etdxcLZ6iTfUJ+vW+3+0YmMI++EmIIjlLtDr0bPPEGzMfgxtxL+cosot1tEoWLPzS"
    "ZRLkGNreg87RPJZM767tdP8hXf+/Ieuz9EfatP+S9xmWAfqNz4yd3GTxCidfVw0L+AMrix"
    "hgpuKEVwI6mBNz1BXeCT043KOtBW1NhWUsfUHWMKN/oePPTYCuCkpMzRRwD1dRK3rs7cei"
    "p15YmO7c6BlEdAnqU6yo0zdUCKu3EmVw6nYegescUWsc/y308G7PWpV6wE2Oo8d3k+WS/P"
    "J+f4fHITusic6Bmq1G95u0qXgrBPbr7u/Vl06DO/SFIrTOWHX2qurv7iqwhqaCef2YlFtQ"
    "HCfvcContSWUds8l5KdGVbgpYTzCDO4GV/3vS6Cj4euiSpGDKZ9q9mI3qI5YAV4AowYoQr"
    "dXIjeUgjwaTEAK2sQsA+N1if/gPlrfIG"
)
