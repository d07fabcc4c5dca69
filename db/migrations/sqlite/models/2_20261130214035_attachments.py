from tortoise import BaseDBAsyncClient

RUN_IN_TRANSACTION = True


async def upgrade(db: BaseDBAsyncClient) -> str:
    return """
        CREATE TABLE IF NOT EXISTS "attachments" (
    "id" INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    "purpose" VARCHAR(8) NOT NULL,
    "name" VARCHAR(255) NOT NULL,
    "content_type" VARCHAR(64) NOT NULL,
    "size" BIGINT NOT NULL,
    "width" INT,
    "height" INT,
    "key" VARCHAR(200) NOT NULL,
    "thumb_key" VARCHAR(200),
    "created_at" TIMESTAMP NOT NULL,
    "message_id" BIGINT REFERENCES "messages" ("id") ON DELETE SET NULL,
    "owner_id" BIGINT NOT NULL REFERENCES "users" ("id") ON DELETE CASCADE,
    "room_id" BIGINT REFERENCES "rooms" ("id") ON DELETE SET NULL
);
CREATE INDEX IF NOT EXISTS "idx_attachments_created_ce9676" ON "attachments" ("created_at");
CREATE INDEX IF NOT EXISTS "idx_attachments_owner_i_fed20d" ON "attachments" ("owner_id");"""


async def downgrade(db: BaseDBAsyncClient) -> str:
    return """
        DROP TABLE IF EXISTS "attachments";"""


MODELS_STATE = (
    "eJztXVtz2jgU/isav2w6k+0QQhJ29wnStM1uAjsJ3e0003GELUAbX6gtQthu/vtKso0t34"
    "K5OMbVSwuSjiS+o8v5zpGU74pp68hw396gkYPcycB+QJbyK/iuWNBE9ENq/iFQ4HQa5rIE"
    "AocGF3C8kiphRXkWHLrEgRqhuSNouIgm6cjVHDwl2GatKX0LAccmkGBrDPwKAK/gN3A/gi"
    "Y2FveAYOQCCAx7jK2fXKBNILaAPfIFbculEmNEJsh5y1rVbY02SyvcVQMzC3+bITVIo83c"
    "faXJ2NLRE3KDr9MHdYSRoQugYp1VwNNVspjytC4eX1rkPS/Luj9UNduYmVZYfrogE9taCm"
    "CLsNQxspADCWItEGfG0LVmhuGrIwDc62xYxOtlREZHIzgzmI6YtNeBME1R1V5/oN5eDFRV"
    "SegvkIgg7idpFDWqe9pVlwMwZl34+Zdm8/j4rNk4Pm2ftM7OTtqNNi3L+5vMOnv2OhOi5V"
    "XFMbv8cNkbsA7ZdIB5448lPHMZSKAnxZURou/pO6mB8wl00vEPJWI6oD8uroMA8TwlBAmv"
    "pAUTPqkGssZkQr8en+YA/Ffn5vxj5+bg+PSNiHLPz2nyLIZ3iC+fV+oEupMiGItS28H5dQ"
    "e7APNpawWYT1uZMLMsEWb0NMV0HVMhScL8joJEsInSoRYlY1Drvujb4MN2Bni48pcAfQ7U"
    "g8vri9tB5/pPVr3put8MjldncMFymjx1EUs9iI/+ZSXg78vBR8C+gi/93gWH03bJ2OEthu"
    "UGXxTWJzgjtmrZcxXqUUyC5CBJULODHunM0NdQsyi5BTX7s0dqefta1hzEcF9Dy6JkDScz"
    "HcdQ71t0//VG4J6o3Z8suVqfuchRixqDEaGXLcI9sEZKswmZOT56SDUJGaZJLby3HYTH1h"
    "9owTVxSfsNLQ2lIO+zpE9+NfulgedghAWpYfsOnC/pS3Tg0Z9OfzAink3XuT3vvLtQOMBD"
    "qD3MoaOrAtIsx27asZRl2WSW2TTjKdCCY44N+xWsz1HQUyhroIxsqsp+0GoMNRtLyQIrPO"
    "MPc1ggUz7/nNBBNkeJytSOoRw3VyGCzWwi2IwzFB27UwMu1KIwx+V2RbrLNWN2TAen0HXn"
    "Nl1MixLvhGAN4W6enKyANy2VCTjPe44xM81+RM6iMOIJQYn4aoi7yHVpr1QKHvs/iXnm3p"
    "kiuSvjOQl6Y7cbafOoddZqH5+2lvvnMiVv2wy2SElCfzwSmqBC2aZ7dL2LR3Zitqsv//6P"
    "G2TwiEk2U4rHk/ZsOGRRJmE6DQ1be3BVutoj/IjSjP0CgHVZZTVHyoR6ip0oUQp4LTKHdP"
    "ua4OmGk+96WVF9oXJdOEYb48RrqStIjm2b6hBuvJTTarqwtqs4JARqExMxmY1w6iwrqhNU"
    "u/Tseat5imtvucxn+/a8LWUl555yzwsj5x54H3Tgp+j3tE82eHftAtsBbL4Aale5YOTQT2"
    "SCzEOWPaWWDLI0BBBmLkAwh4vkCZQdtZHifrxT/KZYvt+G8lU6JffBKSkZWLaC6sXAEuYv"
    "1V3RuSfKyWBgsVkYx794JFaUK8+fVAsF5ERjI/tXZQKylbC2DmMRWXEApgdlUxaaSgFbxU"
    "i3uLBWKdgdoe4pdrFI7LON45gnYbvh7ztOLLlxygaJtDwrs+TmWZ4GdInKTCzVRd+KKSIh"
    "WpvISsl2iGMbheLkQfnywof+yqHsCnYhhNheIYDYzgwftuPBQ6hpaEpS/fA2BRJa6SBHxW"
    "JAD6ncrpBeppR7cLbb718JrKl7GRu2vU/X3YubgyMOPC2EScZo/sfG1lpUVhCUTHafmCx3"
    "KRfdyCNCkkOtvXnIs8QVYa+B9bshw7rxq9mzwb8qxYpM+pd5qzyevb/Hs4MgaipdXcZX87"
    "hqGMrdFVFlvIX+iGgCVTUfK5qBkUVU0x0zbCWZrcwKfJhDZgtT2NKJa01UEHEt2nrKleoB"
    "esrynfvla3H0Nc+Cv/g8EIz3gKEeXHc+vxEM+Kt+70NQPMK3zq/63fhBTWFRSqCe7TFICN"
    "YC/l0frZdR2Wzo68tlkY7XU7ogKK9dV/natWclF3UJRqSkR7CAR1B6h17NPPMITWHwBTEJ"
    "v3QRVdZFFDL2yjiJKgmqMKOL+ole+1R0NS2hcg9F80mf9kKfvxjkvMxHS+z+uYM75YF+Y8"
    "0E/jLpIKucgyxQ0ap+g6B8Dd0FWz5lUPStgxq/cdBurAJtIxvbRvJlwSnWiqC7FCjxiIxS"
    "CrjNk1XQpaVy7tcn8NVN9QEVehkzlFgL4fiGXqHnUFqrLAyt7JWhlVga+Dm59U7XyYN1G7"
    "Ff6cDNVkh9Hbh85lAzFz9islhD92ny5YyAUle9eg2AtV62kDfrFXmzfpvvWchL9VW8VC/d"
    "R+HAyvAg+WMu34m0fDTi5av1HcCOpYH5xAYmXADLJoAd72ZX3YeIXXRHOiA2gN7F95lFsE"
    "H/pfVbSE9eot+4Nnldaa8seHlRXhp0MoBcCQotrxfI2HEFBr+8XiCvFwj2bIQApJi0Ij3I"
    "tmpjfES+B1/PZTXPopzOHGqtFIrdRURKvYK99J3I6Og+7V0lPJBNWyTsgD8HqgDOcbka4r"
    "39awEu/jftudq845S+hOQha/OQOdZJymP7mZAvy6+FecU8htt+8H1CDdxJigclE81QQMKZ"
    "hLPg2YlNDk5UbjEQ97bGSodTGjmHUxrJwz+TmTksej5FENrKEZX6A71fvlUZK9+Ka9VnFY"
    "VdfKJcjXaFku0ae26t4WCNSkkP67rYv0pY4Ycd9Tm+bT6cpSf2BU9sdNK/7NwuN15QsVG9"
    "abiAtg96n66ulLS9cguorn4Oak+BFc2DDGxfKXKAHKxNlLSogZdzmBsxCMtUJljwo0QKNi"
    "Ts2TGAzL8rmE0ws/+gYC2I/C6c1GxSFUDYL15DdI9WYu9HOez9KIW9e678JMK/3/Z7ud7/"
    "NM6ONQL+AwZ299FDnQMuA0Ng5olnmeIvMB2KlJtV0E2zZsvczJ7/ByXLoKg="
)
