from tortoise import BaseDBAsyncClient

RUN_IN_TRANSACTION = True


async def upgrade(db: BaseDBAsyncClient) -> str:
    return """
        CREATE TABLE IF NOT EXISTS "mentions" (
    "id" BIGSERIAL NOT NULL PRIMARY KEY,
    "room_id" BIGINT NOT NULL,
    "seq" BIGINT NOT NULL,
    "kind" VARCHAR(8) NOT NULL,
    "message_id" BIGINT NOT NULL REFERENCES "messages" ("id") ON DELETE CASCADE,
    "user_id" BIGINT NOT NULL REFERENCES "users" ("id") ON DELETE CASCADE,
    CONSTRAINT "uid_mentions_message_b88c87" UNIQUE ("message_id", "user_id")
);
CREATE INDEX IF NOT EXISTS "idx_mentions_user_id_408b7b" ON "mentions" ("user_id", "room_id", "seq");
COMMENT ON TABLE "mentions" IS '`message` concerns `user`: it names them (`kind` \"mention\", also `@room`) or replies to a';
        ALTER TABLE "memberships" ADD "notify" VARCHAR(8);"""


async def downgrade(db: BaseDBAsyncClient) -> str:
    return """
        ALTER TABLE "memberships" DROP COLUMN "notify";
        DROP TABLE IF EXISTS "mentions";"""


MODELS_STATE = (
    "eJztXVtz2zYW/isYvdSeUTOOLF/avqzsOK1b2+o4ym6ndoaCSEhiTQIKAcXRtP7vC4D3q0"
    "VJZCgWL4kM4ADQdw6AcxPwd8cmBrLom3s0dRCdj8gTwp0fwd8dDG3EP2TWd0EHLhZhrShg"
    "cGJJAsdtqTHRVFbBCWUO1BmvnUKLIl5kIKo75oKZRIzWGWIEHMIgM/EMeB0A2cFPYDyFtm"
    "mtxoCZiAIILDIz8XcU6HNoYkCmHiHBlFPMEJsj540Y1SA6H5Z3WNUAS2x+XiLNL+PDPHzi"
    "xSY20FdE/T8XT9rURJYRA9U0RAeyXGOrhSy7MGfXmL2XbcX0J5pOrKWNw/aLFZsTHBCYmI"
    "nSGcLIgQyJEZizFOjipWV57PABdycbNnFnGaEx0BQuLcEjQe1OICzraNrdcKR9uBppWifF"
    "P58igrhXpHPUOO/5VKkEYCam8P0Pvd7x8Vnv6Pj0/KR/dnZyfnTO28r5pqvOXtzJhGi5XU"
    "nMrn++vhuJCREuYK78iYIXSQMZdKkkM0L0XX6nOXA5h042/iFFggf8yyV54CNexAS/4Btx"
    "wYZfNQvhGZvzP49PCwD+7+D+8pfB/cHx6WEc5TuvpierBN4hvnJdaXNI52UwjlPtBudvK+"
    "wxmE/7a8B82s+FWVTFYUZfFybfxzTI0jC/4yAx00bZUMcpE1AbHukb/8NuBDzc+WuAvgDq"
    "0fXt1YfR4PZ30b1N6WdL4jUYXYmanixdJUoPktIfdAL+dz36BYg/wZ/DuysJJ6Fs5sgRw3"
    "ajPztiTnDJiIbJswaNKCZ+sV8UY7ODvvCVYWzA5jjlDtjsrR7F5d1zWXeQwH0DLscpW7iY"
    "uRxDY4j5+etK4J6w3VsshVxfUuRoZZXBCNHrGuEeaCO16YRCHZ8+ZaqEAtM0F94TB5kz/B"
    "taSU5c83lDrKMM5D0r6aPXzX5x4MWXML80HN+Bz4H5EhU8/tX5F0bM1ekGHy4H7646EuAJ"
    "1J+eoWNoMaRFDemRREnQNl1l9+xkCcRwJrER30LMOQp6hsnqMyPfVBVfaD0LNR9LZQU2eM"
    "V3C6xAwXz5OcWDfBslStM6C+W4t44h2Ms3BHtJC8Uw6cKCK60szEm6qozuetWYis3BBaT0"
    "mfDNtKzhnSJsIdy9k5M18OatcgGXdS8Jy0wnX5CzKo14ilAhvh7iFFHKZ6Vx8MT/acxzz8"
    "4MyqqU5zToR9UepL23/bP++fFpPzg/g5KiY9M/IpUR+u8zQlOmUL7qHt3vkpGdhO7q0b//"
    "7R5ZMmKSbykl40l7Jg55JlNsOU0soj9Rje/2yPyCspT9EoBdiM5ajpQNjQw9UaHk27XInv"
    "Dja24utlx8t0FH7YUKy4jttjhhv0E7QaIUztDWIMle2goSP/f1HYjSvddNa2EixNYmcGuY"
    "eDcXsFUoVen6dI+7DN9ncA7mOz/dM3ct72dnLBsjZwzcDwbwSowxnxMB724pIA4QQgC44k"
    "nB1OGf2BzZXVG94KoewjoCyBQ+UvAMV+kUnYrGyPDPPnS8oUS9N0bnk/La7oPXVpmo+Qxq"
    "l4masg8478quvTidipaWW4VJ/MuHquN09TncWsGAgnB15PxqTMS6EdpWNxGyjgtgdtQ6Y6"
    "NpFLBNTAWIb6xNygaI+DYy9OK45yNfOU64WnabH/AgrSWpnAohUZpnY7bcIs3TgpRpQsXS"
    "KPpcjhEp0taEnmrWQxxilUok8NvXF1/1do5OVbDHYqzna0RYz3Pjq+fJ6CrUdbRgmYEKwo"
    "GEOBvkKFkC6AmnqwrpoKTezOKL4fAmZjVdXCfE9u7j7cXV/cFbCTxvZLIcacaEmdNSv0MJ"
    "KTaS6Iblb1cqzH8RE2/kJ4gRKjfBPrkJpBO6rJYUIVIG6sYns8pkb4hrwDcttjRf771u9k"
    "z417VfI4v+daeA+nHA/v44wA/hZ/oCguh+kSMgTCRYI07mhdTHgOOlIwdTMBbAjH8EJgNi"
    "fCojVuBg/MTZOQaP/gCPfADeJwHj/wjZHB/KWBdaWOI36YwAmI6XVTfWI/b6Fr9+532YDg"
    "UHjx3RZPXYOXwDLskScwEGcMYlgjLRBriGz3cUCP0C2NB5Qg6Y8p7H3rBchjjVOD8qZ4eZ"
    "BJmOkYdgJUaWr7CoPymXSSNdJkof+2b6WGkfVe2eqdZBLnbZMsa8376Fyf87tuW9g6H0Vh"
    "KnU6LdOuuupdAXmHcRHWlLc6R9eZtJkyS+/PfQzmskqo019FxxzjT0AkkvMvTCZOiqwr3S"
    "VumCaAHntRQWnRtfmGk2nQlsVUi4MXtxt8C+UUp2/ZloxMiImI3Q17wMNK99K5TsolDN1R"
    "+jWJTGV6cPbgd/HMYiNTfDu5/95hH1+/JmeJE0IsnS0TN0jXy4Q4o2BCjrxls62Fw3WRr0"
    "fIdJnKo1uSW7+1lz7GxNAZtvoacIW7GLVH0RhUrRz4e+vbF3ZJibMT1GqC4pbPIlha6xVz"
    "Y/LEKl0sNKpIe55zpnR+kISpxwI4Xg9VXUVnNPha8aAL3rGCkNfoxMwa9yihqbUxR6/pS3"
    "uQjU2Ip+HVb/6Ks1PtKsszILWX9GcXmNqwkxcPkkwN3Hm5sib37qthXNIc/qxpXiy0Rkkt"
    "W2GO1OMJsIkbpvJQemKsNnAV6Zb/+EWBa9+xNh3BqpkjJXEUgqZIi0wzCh8dlkczBGNvnL"
    "HP8ERHYjWCAHHHgNukDQdoFscJhxk8hOu14rVZH/L0lU5K45Cm23IHLnMivFgHxXcECgXM"
    "DKBaxcwD5qKk3v2+9yzU/Ta+f5orL0VJZeE4z7PUrSkx7ALAvD8wwWWBe8RfVPtTwESfl+"
    "Ep7S3Runu6vfWVT1O4uy77S0+H2W86N1oD3Kx/Yo/SrqwtTLoBsQ1Hh7TacWcHsn66DLWx"
    "W8DZLC17C1J1TqNpWQYifJig16yqm/zsbQz98Z+qmtQV5htdnFV+rOq62MOuVLyWdIe30p"
    "cuUIh/oXk6024H0WfT0SUOuu1y4BSHkU1gu+qldB1IMXuwNJPeJQd+jVgyvHL+IhWewaCZ"
    "7eeD3wOpAhTvA8J8CGK4AJA+LKO3EHzASJlxXckCl0X1pYYmZa/F/eP0ZGOta6dW/qfty9"
    "0kvVywxKTVE50o0wDFW0ryHRPpUevfP0aBXk298g3wA5pj7PUme9mkJtFoZtqoz0lVIi/y"
    "0a5Ja/uM7XDXPf6853zuc/1N2G8FIlr6OLRVUCYa95C9F9e7ROfIm3ykVX1iX88AQzlHUx"
    "w68fhnc5hk1IkrRqTJ2Bf4Bl0n3UdwvAFWDETJfUvRjJKzC6cZtEdHCRpW/VeZi9/B9FVU"
    "8t"
)
