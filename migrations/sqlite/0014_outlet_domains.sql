-- The domains an outlet's original URLs may be on (each covering its subdomains): NULL
-- is the registrable domain of its homepage, following the homepage; '*' is any URL;
-- otherwise domain names separated by spaces. Articles already stored keep their URLs;
-- the rule applies to what arrives from now on.
ALTER TABLE outlets ADD COLUMN domains TEXT;
