-- 数据湖位置: where the lake views find their Parquet files — the `lake/` folder beside this
-- database file, wherever the data home has moved. DuckDB resolves a relative path against
-- the working directory, and a table function takes no subquery, so the folder comes from
-- the one setting DuckDB derives from the database file: its temp_directory, `<file>.tmp`
-- by default. A connection whose temp_directory is not this file's (another database that
-- ATTACHes this catalog) reads the lake where it was when the catalog was built.
create or replace macro bpw_lake_dir() as
    case
        when current_setting('temp_directory') = {catalog_tmp}
            then 'lake/'
        when ends_with(current_setting('temp_directory'), '/' || {catalog_tmp})
            then left(
                current_setting('temp_directory'),
                length(current_setting('temp_directory')) - length({catalog_tmp})
            ) || 'lake/'
        else {built_lake}
    end;

comment on macro bpw_lake_dir is '数据湖位置 — bpw_lake_dir(): the lake folder the views read, with a trailing slash: lake/ beside this database file (found through its temp_directory, <file>.tmp), else the lake this catalog was built for';
