CREATE TABLE widgets (id serial PRIMARY KEY, name text NOT NULL UNIQUE);
CREATE FUNCTION widgets_upper() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN NEW.name := upper(NEW.name); RETURN NEW; END $$;
CREATE TRIGGER widgets_upper BEFORE INSERT ON widgets FOR EACH ROW EXECUTE FUNCTION widgets_upper();
