from tortoise import BaseDBAsyncClient

RUN_IN_TRANSACTION = True


async def upgrade(db: BaseDBAsyncClient) -> str:
    return """
        CREATE TABLE IF NOT EXISTS "workspace" (
    "id" SERIAL NOT NULL PRIMARY KEY,
    "name" VARCHAR(80) NOT NULL,
    "registration" VARCHAR(8),
    "retention_days" INT
);
COMMENT ON TABLE "workspace" IS 'The installation''s settings, one row; also the lock on who is an admin.';
        CREATE TABLE IF NOT EXISTS "audit_entries" (
    "id" BIGSERIAL NOT NULL PRIMARY KEY,
    "at" TIMESTAMPTZ NOT NULL,
    "actor_id" BIGINT,
    "action" VARCHAR(64) NOT NULL,
    "target_type" VARCHAR(32) NOT NULL,
    "target_id" BIGINT,
    "data" JSONB NOT NULL,
    "prev_hash" VARCHAR(64) NOT NULL,
    "hash" VARCHAR(64) NOT NULL UNIQUE
);
CREATE INDEX IF NOT EXISTS "idx_audit_entri_action_7b2c7c" ON "audit_entries" ("action");
        CREATE TABLE IF NOT EXISTS "password_resets" (
    "id" BIGSERIAL NOT NULL PRIMARY KEY,
    "code_hash" VARCHAR(255) NOT NULL,
    "expires_at" TIMESTAMPTZ NOT NULL,
    "used_at" TIMESTAMPTZ,
    "created_at" TIMESTAMPTZ NOT NULL,
    "user_id" BIGINT NOT NULL REFERENCES "users" ("id") ON DELETE CASCADE
);
CREATE INDEX IF NOT EXISTS "idx_password_re_user_id_78da2a" ON "password_resets" ("user_id");
COMMENT ON TABLE "password_resets" IS 'A single-use code an admin issued so a user can set a new password (contract §7.1).';
        CREATE TABLE IF NOT EXISTS "invites" (
    "id" BIGSERIAL NOT NULL PRIMARY KEY,
    "code_hash" VARCHAR(64) NOT NULL UNIQUE,
    "max_uses" INT NOT NULL,
    "uses" INT NOT NULL,
    "expires_at" TIMESTAMPTZ NOT NULL,
    "room_ids" JSONB NOT NULL,
    "created_at" TIMESTAMPTZ NOT NULL,
    "deleted_at" TIMESTAMPTZ,
    "created_by_id" BIGINT NOT NULL REFERENCES "users" ("id") ON DELETE CASCADE
);
CREATE INDEX IF NOT EXISTS "idx_invites_created_614da6" ON "invites" ("created_by_id");
COMMENT ON TABLE "invites" IS 'A code that lets up to `max_uses` people register and join `room_ids`.';
        ALTER TABLE "users" ADD "is_bot" BOOL NOT NULL DEFAULT False;
        ALTER TABLE "users" ADD "is_admin" BOOL NOT NULL DEFAULT False;
        ALTER TABLE "users" ADD "deactivated" BOOL NOT NULL DEFAULT False;
        ALTER TABLE "users" ADD "last_seen_at" TIMESTAMPTZ;
        -- Data step (hand-added): the workspace's one settings row, and on an existing
        -- installation its earliest account (by created_at, then id) as its admin.
        INSERT INTO "workspace" ("id", "name") VALUES (1, 'chatty');
        UPDATE "users" SET "is_admin" = TRUE WHERE "id" = (
            SELECT "id" FROM "users" ORDER BY "created_at", "id" LIMIT 1);"""


async def downgrade(db: BaseDBAsyncClient) -> str:
    return """
        ALTER TABLE "users" DROP COLUMN "is_bot";
        ALTER TABLE "users" DROP COLUMN "is_admin";
        ALTER TABLE "users" DROP COLUMN "deactivated";
        ALTER TABLE "users" DROP COLUMN "last_seen_at";
        DROP TABLE IF EXISTS "invites";
        DROP TABLE IF EXISTS "password_resets";
        DROP TABLE IF EXISTS "workspace";
        DROP TABLE IF EXISTS "audit_entries";"""


MODELS_STATE = (
    "eJztXW1z2zYS/isYfYkzo3ps2bF9yc3N2anb+prYHUe59hp3KIiEJdQUoBCQFV0v//0AkB"
    "TfaVIiaYrBl0QGsQD54G2f3QXwV29GLWSz/Qubmg+91+CvHoEzJH5EH/RBD87nQbJM4HBs"
    "q5xjmUUlwTHjDjS5SL2HNkMiyULMdPCcY0pk3pHKjJwRcH9YwEuxRq8BoeD79wxQBziUzg"
    "C0LAbuHfGLT9GsLx/PHcQQMRFAWKQ5YAlX+7Jii5qiZkwmNdaxIPjzAhmcTpBMFzV9+tTz"
    "qpLPvTp6f/wh/sDEQl8Qk5nkn/MH4x4j24ogjC0pptINvpqrtAs8uSL8B5VXftfYMKm9mJ"
    "Eg/3zFp5SsBTDhMnWCCHIgR7IG7iwk8mRh214T+Y3hfkKQxX3LkIyF7uHClu0npd0XCNJ6"
    "hnF9MzQ+XA4No5doW18i1BRekkmJ7BfiVZkCYCJf4bu/DQZHR6eDg6OTs1fHp6evzg7ORF"
    "71vslHp1/dlwnQcotSmF39eHU9lC9ERedz+6RM+KpkIIeulGqMAH3TQRIvA/JkK3wvnnA8"
    "Q+ntEJWMtYflie77P+Kt47dFXvP4CUH7BMOpiQYSH2jdEHvldYwc7IdX7y8/DM/f/yKrmz"
    "H22Vb4nQ8v5ZOBSl3FUvdOXkYba10I+PVq+BOQf4Lfb64vFbyU8YmjagzyDX/vyXeCC04N"
    "QpeGGMVBH/ZTfdREzqDVvUFqlB17Ubmnx+BmrdzVURjH39kQf6dm/JsdZY01gFyB7h9SZ8"
    "HQ+hVtjB+og/CE/IxWqkGuxKtDsSimoO8pCh+ZW8yOtcJXv6f5qcEwdOByvWrHOqD4fPHR"
    "iCsA3p5/eHv+/WUvbaJpFbBNTi/lcLVycZX9dwzNhyV0LCPSkeUTOqCxlHXe5KPZYBZPgQ"
    "ROFDzyQ+Rre7j/AhlbUse6FeogT1ONoxlyVeS5l9WQuiUvqCufAyYQttF3C4aAKQoFkAiF"
    "dYYJwIwthF7LKIBAPHWAKR6JksWfBC2BXx3YE/irWsDd4uAAnp7uH75MKsx1VpSiNWv9uC"
    "0LQ65+LPqBMYVsmmyEt1PoZKjGYaFYS4hP3MH1QcwPXwwbkQmfij8Hr17lAP3v89u3P53f"
    "7olcMQ332ns0cJ9FdSL0ZY7FvLABE4lKdpCJ7Ajz8DHJpR5i+tyEbYbEKmhgbx7T7Vt9+2"
    "qDQvYk2l2DglSKSrPZkJA2JVTEZBesZTS2jWwr1PHaRLVu0b0YkdMhfUCkl8K0Is/7eUTL"
    "cXMKviGyFuRZNwQBh3LIBcLAKwCoAt6A0T2cYXs1AhwjJkiPTSeYvGDAnAqUAb33BAXuwK"
    "c4SX5VRwWaV7V4murn8Cq3vcuQqkCiLkbVaCtECNXRSQE+dRRf3wM6JR9F2ZQaV6WJa1Sq"
    "Gpyft7NHYD45LgDzyXEmzPKRJq3fIKlx0CN92IjURCU1dW1zK2vqmj2Pauqqqaumrpq6Zl"
    "BXBXoKZfUbI5uqyg8qxlCzsdQssMUjvp/DAmXjq9+JNsjmKGGZzjGUo0ERIjjIJoKDOEOx"
    "MJvbcGWUhTku10E3ZvV0cB3gUJZ4JwQ7CHctXmMHmfQROavSiCcENeLFEGeIMfFWhgBP/p"
    "/EPHPtTJFsLoTxoN6FdHB4fHp8dnRyvF4/1yl5y2YyNFST0Gyou0tC4aNQkcrT0IjYRmOp"
    "Zeak5wnHxsxQcX4p4FNqI0gyuEBILAb+WMjVNcLWKc2a8y5ubt5FRtPFVQzY64/vLy5v9w"
    "7VMBKZMM/Ge0xT5ren0PaENNYlsLaQ4NT4UeFSDvCYpEa9BOo2ZNxgCJEN1vG4rHYatM1p"
    "kDBiZhvdYlshmCF4B8KPqYPRK+CHn2+RrYIdso2c6/2oO6bCZZk5k5tGmDGDVorFQqMUtz"
    "UEmyk2RyqxiaOLiCWjojYHLB6L1UW8Zmg2FlR9iudbgvV+XVB3oSIqOm1bnIifoZsgMQYn"
    "aGuQVCldBclRWvfWXenWK6azMFE6M8Zwa5hEMRewsyhBzqE5lZPTljidrwvqKlSYPAo2ty"
    "VMV6qQLkFUZ9BASC1ICR2IKg3ZAQQxLaXaMIJPaqKR5aroFH2oTYvst9lhBcqCIp0FBkOf"
    "yzVEQrQzHqqGbeoOtUvFG/j5m3PDejNHry7YI67YswKO2LNMN+xZ3AkLTRPNy5t0w2Lanl"
    "vCnksox/eltqsEEhv16JZZbGvtzH9STDbyeEcEtcO7LXbzIg5vxd/KakkhIX321cYrsw54"
    "b0nAu08ttgx4v/WK2bHOXzTiPTTonz5vTO8h2N09BL71O9UWsDaM5xkCAht8gSN4PWv0CA"
    "i8TOQQBkYSmNFrgDmQ9TN1GC7YGz2I5hyBO7+CO1GBKJOC0T9l3xy9VMfoorktt65zCmAv"
    "1lp11nVHvLLlJnlRBnYY2LvrySyru97LffCWLojowABORI9gXOYBLvF5wYDUL8AMOg/IAf"
    "ei5JFXrehDQmqUfeDvLDDCpxpGPq1HYmj4Skb9hzaZtNJkovWxZ9PHStuoGrdMdQ5yOcuW"
    "IfN+/g7uEaiYy3sLQ+mpJCqnu3bn2F1Hoc+hdyEdaUs60r2QhzgliQ7/HeR5rUS1tUTP7c"
    "6pRG/d0/OIXhBHVJe7V3GVPggniLZWncUU5ItwY8YmElvtEm7NXNzP4TdayW7+kgtqpXjM"
    "huhL1uUWXv5OKNl5rprL34YRL42vTu+9P//tZcRT8+7m+kc/e0j9fvvu5iJOIunCMVN0jW"
    "y4A4kuOCibxlsZ2FwzWRL0bINJVKozsSXV7X6OrK0JYHOO3I8LdmIWqfu8Cr3ZPBv67vre"
    "kYU3a/SIoN6W2LZtidFtv5Lsld/yu5bS4WElwsPcdV00R2kPSlSwpiMcukr3tPuqBdC7hp"
    "HS4EfENPw6pqi1MUWB5U9bm/NAjYzop2H1l75G/SPtWivTkPXfKNpfo2pCBFzxEuD647t3"
    "edb8xEZlw6FLvVk5fx+uCrLaFqPqOmYbIdJblQvA9DybcHelQ9XpaFz3rNTLlIJel3eRUq"
    "iLFwgqVVGdQEkhSwZoBqGfS8ynYIRm9E88egNkHCiYIwfseRn66mLZPlAZUm6nrbboQkGd"
    "4n8lon2c7VH9+zk+TrexEg2QbTRfC2hjuTaWa2O5j5oOaHz+Wa79AY3dXF90PKOOZ2yDGW"
    "SHwhmVrTSNYXg21Bx2IXLUf/fNp/X2BT9cUevurdPd9Y6UunaklL34psMX3pwdFIH2IBvb"
    "g+Q1s3NslkF3LdDgOT+9RsAdvCqCrsiVc9lKAl/5v/GAyp08E5KpJLSzRfdj1XKjjTUrC3"
    "Eg0TWAj4vMvsfZ0+9xYv71jrPf5Bw2fQTbVsxZG6yyG6S7Bis1ctTNHZivNr1+IibfTA9o"
    "dNbrVgdImG2KxQLo89310eXVgaSP49aRAG2NBPA6VoaZzutz+Za69XHzT8cBnCuPO1hOKZ"
    "jBFSCUA3lWpTy8aYyAmMpdDz4EslywIBzb4l9RPkFW0vW/dWn6YOud0uCzrYRao/9WFDq9"
    "uaEVFFo7n1vifNb7Girf16B9zrvrcw4RgBSVNkoPsrXaGB+p1QutNcpWapTzhSO0lVIO0p"
    "BIo5d1rG0n2gW9S2tXAw48USOXp38ooErgHJfrIN7Vh0Ez/N+0a3nztvp6EpqHbMxDltgS"
    "zZlAPRPydf6aThR4DsgrO2RoKhTcaZljmwIBDWfKYcrlYie2CZxo3WQQXdsOCkUAHeREAB"
    "0kI6ymi9m4bHxKRKgLx7s1APRu2Va1r3zXd/e0bYQ9i15Dl2QDA2tYSltYN8X+WdwK32yv"
    "z7Ftq+6sLbFPWGLDg77A6TKN+gta1qu3dRcER8qkrJUVoNq5Y1HiwOZs/ytyXE+dngPviv"
    "oUr0FweX22xwCrPIWjYExRAuBTyIH4fAYWc/fcCqHLLxhiIzBHdG4j4KAJZhw5ABLLDW0Z"
    "eV2TjdLCYaoo9o7cEanTqgvRZIEvGPjw0/l3g1cnADPwgOZc3c4mfrOpmHvUsRp9IOpU6r"
    "74xKzQGu34aMua289xfMgmN6aQpVjV8gzGIaFqLBgt2vtRva3YH5IlbG1hkeYMxof19vXK"
    "bG0lwWweyF05aB59mWMHsU0OwY5IdjCSbkfMOz4mRULnUsbMvz7cXOdS3LSBY2GTg/8BW6"
    "gVtTm6/36/IOrMMTBeYJtjwvZlff+oy/Od09wSo0hLJ27OiF+SEWtCWUD85ozdsrPqGNZq"
    "DK3eyfIbtHpUUt860Obp1h+h41Vpw2JCVBt2KzIvBshqG+MTdptEJ2xTzOev1Hlgc2imGm"
    "+Ch/08+80yku1JC85wioC8NR7a7o60FwwwxIVOMmF9QAkCDl2+cS+ol2YUm5oPIlntVMIM"
    "QAKgNcMkacKpqFxpwxm5Vh5HlTNSmL0GI6GkDIf/MW4vf7z6MLw9H17dXI+AhUwsPrDvbZ"
    "HyiwHmlFJBlPaBIP5kgpi0Jomq7kioLrAnjUjyZe6xwzgI1/rSfUE+FfnFi/eB+9orMBUN"
    "gYj6IMgBBGqlqsFq9K2YjLZkf9nGoPYHaPbMKeR8VRcJqPucoPBwKQN0XK57sSwVhxo7iH"
    "sn/FtwVcZUlBTskH93q4mjxNkKtW75WFiYXxLurNLW/9DTXAUAynyGaGkH13GBsvZ9tIUQ"
    "5C135Ul4Z00uXWLfYhTT8sFUYakOTfkNB1MFl0kUVW0Cibq0yC55Ejl0xCpTeodPTKyDQe"
    "dHgwJQHw0yoZaPUqEuO49ExPREsulEIhftMt4qP387PFWy2s54quYOeiwdIhIR6uB8U/3U"
    "XhZhHX+TC21b6CpysDntpVFV90k/l6YGeVrDT78VclqblfUROaykkhwS6eBcWstmeDmoSi"
    "DsZe8guoeFdgke5uwSPEzZJegeGVBGQwuJNK+kPY/ppDJ17FkXs6//B4fC+xs="
)
