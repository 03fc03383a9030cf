-- Written by hand: drizzle-kit splits an expression index at its commas. The expression is
-- usernameSkeletonSql in db/schema.ts (look-alike usernames: aIice, a1ice, alice).
CREATE INDEX `user_username_skeleton_idx` ON `user` (replace(replace(replace(replace(replace(lower("username"), '1', 'l'), 'i', 'l'), '0', 'o'), 'rn', 'm'), 'vv', 'w'));
