from tortoise import BaseDBAsyncClient

RUN_IN_TRANSACTION = True


async def upgrade(db: BaseDBAsyncClient) -> str:
    return """
        CREATE TABLE IF NOT EXISTS "blocks" (
    "id" BIGSERIAL NOT NULL PRIMARY KEY,
    "created_at" TIMESTAMPTZ NOT NULL,
    "blocked_id" BIGINT NOT NULL REFERENCES "users" ("id") ON DELETE CASCADE,
    "blocker_id" BIGINT NOT NULL REFERENCES "users" ("id") ON DELETE CASCADE,
    CONSTRAINT "uid_blocks_blocker_9b7abb" UNIQUE ("blocker_id", "blocked_id")
);
CREATE INDEX IF NOT EXISTS "idx_blocks_blocked_2108bf" ON "blocks" ("blocked_id");
COMMENT ON TABLE "blocks" IS '`blocker` blocked `blocked`: no DMs or room adds from them, no presence either way.';
        CREATE TABLE IF NOT EXISTS "room_bans" (
    "id" BIGSERIAL NOT NULL PRIMARY KEY,
    "created_at" TIMESTAMPTZ NOT NULL,
    "room_id" BIGINT NOT NULL REFERENCES "rooms" ("id") ON DELETE CASCADE,
    "user_id" BIGINT NOT NULL REFERENCES "users" ("id") ON DELETE CASCADE,
    CONSTRAINT "uid_room_bans_room_id_cf4ddd" UNIQUE ("room_id", "user_id")
);
CREATE INDEX IF NOT EXISTS "idx_room_bans_user_id_5959bd" ON "room_bans" ("user_id");
COMMENT ON TABLE "room_bans" IS 'A user who may not join or be added to a room until unbanned.';
        ALTER TABLE "memberships" ADD "role" VARCHAR(8) NOT NULL DEFAULT 'member';
        ALTER TABLE "memberships" ADD "accepted" BOOL NOT NULL DEFAULT False;
        ALTER TABLE "rooms" ADD "topic" VARCHAR(250) NOT NULL DEFAULT '';
        -- Data step (hand-added): the creator is not recorded, so every existing room's
        -- earliest member (by joined_at, then id) becomes its owner; a DM has no roles.
        UPDATE "memberships" SET "role" = 'owner' WHERE "id" IN (
            SELECT (SELECT m."id" FROM "memberships" m WHERE m."room_id" = r."id"
                    ORDER BY m."joined_at", m."id" LIMIT 1)
            FROM "rooms" r WHERE r."kind" <> 'dm');
        -- Existing members chose their rooms (presence keeps flowing as before); in a DM,
        -- only those who wrote in it did.
        UPDATE "memberships" SET "accepted" = TRUE WHERE "room_id" IN (
            SELECT "id" FROM "rooms" WHERE "kind" <> 'dm');
        UPDATE "memberships" SET "accepted" = TRUE WHERE EXISTS (
            SELECT 1 FROM "messages" g WHERE g."room_id" = "memberships"."room_id"
            AND g."sender_id" = "memberships"."user_id");"""


async def downgrade(db: BaseDBAsyncClient) -> str:
    return """
        ALTER TABLE "memberships" DROP COLUMN "role";
        ALTER TABLE "memberships" DROP COLUMN "accepted";
        ALTER TABLE "rooms" DROP COLUMN "topic";
        DROP TABLE IF EXISTS "room_bans";
        DROP TABLE IF EXISTS "blocks";"""


MODELS_STATE = (
    "eJztXFtT2zgU/isavyydYTs0BMjuPiWUtmxLsgPpbqdMxyi2kmixpdRSgEyX/76SbMd3Nw"
    "4kdVy9QCLpSMp3dDnfOZK+GS61kcNeXqKxh9h0SG8RMX4H3wwCXSQ+5ObvAwPOZlGuTOBw"
    "5CgBzy9pcllUZcER4x60uMgdQ4chkWQjZnl4xjGVrRkDgoBHOeSYTEBQAVAV/AFuxtDFzu"
    "IGcIwYgMChE0x+YcCaQkwAHQeClDAhMUF8iryXslWbWqJZUeGmGpgT/HWOzDBNNHP9RSRj"
    "YqMHxMKvs1tzjJFjJ0DFtqxApZt8MVNpPTw5J/yNKiu7PzIt6sxdEpWfLfiUkqUAJlymTh"
    "BBHuRItsC9uUSXzB0nUEcIuN/ZqIjfy5iMjcZw7kgdSWm/A1GaYZr9wdC8OhuappHRXygR"
    "QzxIsgRqQveiq0wBMJFd+PW3Vuvw8KR1cHjcOWqfnBx1DjqirOpvNuvk0e9MhJZflcLs/O"
    "15fyg7RMUA88efTHhUMpBDX0opI0Lf13dWA6dT6OXjH0mkdCB+XFoHIeJlSggTfpAWXPhg"
    "OohM+FR8PTwuAfjv7uXpu+7l3uHxiyTK/SCnpbIk3hG+al6ZU8imVTBOSj0Pzj92sCdgPm"
    "6vAPNxuxBmmZWEGT3MsFjHTMizML8WIHHsonyok5IpqO1A9GX44XkGeLTybwH6EqiH5xdn"
    "V8PuxV+yepexr47Cqzs8kzktlbpIpe6lR/+yEvDP+fAdkF/B50H/TMFJGZ94qsWo3PCzIf"
    "sE55yahN6b0I5jEiaHSQk1e+hOzAx7DTUnJZ9BzcHs0Vp+fi1bHpK4r6HlpGQDJ7MYx9Ae"
    "ELH/+iNwR9QeTJZSrc8Z8syqxmBM6PsW4Q5YI1uzCaU5Pr7NNQklplktvKEewhPyHi2UJs"
    "5FvyGxUA7yAUv6GFSzWxp4DEdYmBq178H7JX2JDzzx08UPRty36bpXp93XZ4YCeASt23vo"
    "2WYCaZlDWzSVsiybzXJbbjoFEjhR2MhfIfscBz2HsobKKKaq8getxlCLsdQssMYzfr+EBU"
    "rlq88ZHRRzlLhM4xjKYWsVItgqJoKtNEOxMZs5cGFWhTkttynSvV0zZsN0cAYZu6diMa1K"
    "vDOCDYS7dXS0At6iVCHgKu8xxcwseoe8RWXEM4Ia8dUQZ4gx0StTgCf/ZzEv3DtzJDdlPG"
    "dBP9jsRtp61T5pdw6P28v9c5lStm2GW6QmoT8fCc1QoWLTPb7epSM7Kds1kH/z/hI5KmJS"
    "zJTS8aQdGw5FlCkxnUYOtW6ZKVZ7hO9QnrFfAbCerKzhSLnQzrETNUohr0XuSGxfUzx74u"
    "S7WFbUXKgYgxP0ZJxULU0FyaPUNUfwyUu5qKYHG7WKb9Jd5S9ROf6q5dpV7LDy18mVPFbG"
    "jSqMvBvgf7BBkGLfiD5R8PqCAeoBOQiAMBYYGHviE58id19mz8T2jIiFAMLSrwXu4SJ7rG"
    "JDbeT41K6NoCmZH7RhfNGetl3wtGlaUaygZtGKjE0ndFd17iXldISr2ixM4189vJiU256T"
    "pBEKKAkxxvav2kQZa2Ft7afCjMkBmB9pzFloagVsHcO3yYW1ThHcGB/NsYuTbLXYOE7R4+"
    "eN6V4rtqSMUzlItOVZmyW3zPJ0IOOmNLFMhr5WU0RGtDHhgi3bIR51KgV/w/Lbi4kFK4ex"
    "KdgTcbHOClGxTmFMrJOOiEHLQjOe61ymAkhI8kGOi6WAHgm5TSG9TNnuadDeYPAhwZp656"
    "lh2/940Tu73HulgBeFMC8Yzf9STNaisglBzWR3ickqP2nVjTwmpDnU2puHPiBbE/YaWr9P"
    "ZFiXQTU7NvhXpVixSf993qrPHO/umeMwMphLV5dBwzKuGsUnN0VUJW8RPyKeIFStxorlYE"
    "S46bKJxFaT2dqswPslZLYyhd06cW2ICmKuRWrn3BMeooci33lQvhHnOcss+LNPw4TxHjLU"
    "vYvupxcJA/7DoP82LB7jW6cfBr306cPEopRBvdhjkBFsBPybPi+uo7LF0DeXyyIbr6f0hK"
    "C+S1znu8S+lVzVJRiT0h7BCh5B7R36YeaZT2gqg58Q0/BrF1FtXUQRY6+Nk6iWoCZmdJ38"
    "RGow5z2nFgzykmfURInN302/Nm7FN9lM6AfSjp/aOX5CFa3Kh8PyDaTBzxw9r3oxvcEX0j"
    "sHq0B7UIztQfYZuBm2qqC7FNji0Q9jK+C2jlZBV5QquQydwdd2zVtU6RnDSGIthNOUvUZv"
    "V7RXWRjaxStDO7M0qPNf650a0wfGnsTqtGOyWCHNdUyqmSPMXHyH+WIN3efJb2cEbHXVa9"
    "YAWOsZAn0N2tDXoJ/z8QF9A3q7N6BDuAr8IgGS5a6R5b3171+E7gJ5iAjcTylw4QIQyoE8"
    "jCsvJo+QvJaMbMApgP415Tnh2BF/Rf0E2dkrz0+uTV8u2Sm7VF9r1maKDvfVghjqw+A60l"
    "eDwa8Pg+vD4Al7tos8bE3zzNkgp9SahVGZ2rxC/bNYkE98ObPYNix8oLTYOV/8MmkTwksb"
    "eQ5WTqoKCAfFG4juq4NV4kuiVCG6Ki/lh6eEI5JDbv68GvQLiE0kkmY12OLgP+Bgtov2bg"
    "m4EowEdckchU+fet9PchJZQS/P3trmZvb4Pz3Vx1o="
)
